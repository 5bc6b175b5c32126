"""Every write is atomic: real writer processes killed at random moments, stopped by SIGTERM, or out of disk.

The earlier output must stay whole: after each interrupted write the target reads back as the
earlier labels or the new ones, never a mix or a torn file.
"""

import os
import random
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from labelspace import FormatError, formats
from labelspace.formats import DroppedLabelsWarning
from tests.conftest import THOROUGH
from tests.formats.atomic_child import IMAGE_FORMATS, project, video_project

ROOT = Path(__file__).parents[2]
TARGETS = {  # the output, and a size whose write takes a few tenths of a second
    "labelspace": ("labels.json", 300_000),
    "coco": ("coco.json", 5_000),
    "encord": ("row.json", 5_000),
    "cvat": ("cvat.xml", 5_000),
    "parquet": ("labels.parquet", 20_000),
    "labelstudio": ("tasks.json", 20_000),
    "yolo": ("dataset", 60_000),
    "voc": ("voc", 60_000),
    "labelme": ("labelme", 60_000),
}
KILLS = 12 if THOROUGH else 3


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    """Images for the YOLO datasets to take their sizes from."""
    from PIL import Image

    root = tmp_path_factory.mktemp("media")
    (root / "images").mkdir()
    for i in range(300):
        Image.new("RGB", (64, 48)).save(root / "images" / f"img{i}.jpg")
    return root


def summary(path, media=None):
    """What a written output holds, enough to tell the earlier labels from the new ones.

    ``media`` is where a YOLO dataset's images are (YOLO takes image sizes from them).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DroppedLabelsWarning)
        project = formats.load(path, media=media if formats.guess_format(path) == "yolo" else None)
    return len(project.rows), sum(len(list(s.get_annotations())) for row in project.rows for s in row.list_spaces())


def write_small(fmt, target):
    small = project(200) if fmt in IMAGE_FORMATS else video_project(20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DroppedLabelsWarning)
        formats.save(small, target, fmt, overwrite=True, progress=False)


def child(fmt, target, frames, *extra):
    return subprocess.Popen(
        [sys.executable, "-m", "tests.formats.atomic_child", fmt, str(target), str(frames), *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


def finish(process):
    """Wait for a writer to end, close its pipe; return its status."""
    status = process.wait()
    process.stdout.close()
    return status


def wait_for(process, line):
    got = process.stdout.readline().strip()
    assert got == line, f"the writer said {got!r}"


def leftovers(folder):
    return [p.name for p in folder.iterdir() if ".tmp-labelspace" in p.name]


@pytest.mark.parametrize("fmt", list(TARGETS))
def test_a_killed_writer_leaves_the_earlier_output_whole(tmp_path, fmt, media):
    name, frames = TARGETS[fmt]
    target = tmp_path / name
    write_small(fmt, target)
    earlier = summary(target, media)
    # How long a whole write takes, and what it leaves.
    process = child(fmt, target, frames)
    wait_for(process, "writing")
    started = time.monotonic()
    wait_for(process, "done")
    took = time.monotonic() - started
    assert finish(process) == 0
    newer = summary(target, media)
    assert newer != earlier
    rng = random.Random(fmt)
    outcomes = set()
    for _ in range(KILLS):
        write_small(fmt, target)
        process = child(fmt, target, frames)
        wait_for(process, "writing")
        time.sleep(rng.uniform(0, took * 1.2))
        process.send_signal(signal.SIGKILL)
        finish(process)
        now = summary(target, media)
        assert now in (earlier, newer), f"after a kill the output reads as {now}, neither {earlier} nor {newer}"
        outcomes.add(now)
    write_small(fmt, target)  # the next write clears what a killed writer left behind
    assert leftovers(tmp_path) == []
    assert summary(target, media) == earlier


@pytest.mark.parametrize("fmt", list(TARGETS))
def test_a_full_disk_fails_cleanly(tmp_path, fmt, media):
    name, frames = TARGETS[fmt]
    target = tmp_path / name
    write_small(fmt, target)
    earlier = summary(target, media)
    process = child(fmt, target, frames, "--fsize", "30")
    wait_for(process, "writing")
    said = process.stdout.readline()
    assert finish(process) == 3
    assert "could not write (File too large); the previous output is unchanged" in said
    assert summary(target, media) == earlier
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("fmt", ["labelspace", "coco", "parquet", "yolo"])
def test_sigterm_removes_the_temporary_file(tmp_path, fmt, media):
    name, frames = TARGETS[fmt]
    target = tmp_path / name
    write_small(fmt, target)
    earlier = summary(target, media)
    process = child(fmt, target, frames * 3)
    wait_for(process, "writing")
    time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    status = finish(process)
    assert status in (-signal.SIGTERM, 0)
    if status == -signal.SIGTERM:
        assert summary(target, media) == earlier
    assert leftovers(tmp_path) == []


def test_a_folder_format_refuses_a_folder_with_files(tmp_path):
    target = tmp_path / "dataset"
    target.mkdir()
    (target / "old.txt").write_text("an earlier export")
    with pytest.raises(FormatError, match="already holds files"):
        formats.save(project(200), target, "yolo")
    assert (target / "old.txt").read_text() == "an earlier export"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DroppedLabelsWarning)
        formats.save(project(200), target, "yolo", overwrite=True)
    assert not (target / "old.txt").exists() and (target / "data.yaml").exists()


def test_the_temporary_file_of_a_live_writer_is_left_alone(tmp_path):
    from labelspace.formats._atomic import atomic_file

    other = tmp_path / f".labels.json.tmp-labelspace-{os.getppid()}-x.part"
    other.write_text("another process is writing")
    dead = tmp_path / ".labels.json.tmp-labelspace-999999999-y.part"
    dead.write_text("a killed writer's")
    with atomic_file(tmp_path / "labels.json") as f:
        f.write(b"{}")
    assert other.exists() and not dead.exists()
