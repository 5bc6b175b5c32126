"""Recognising files by their content, reading within limits, and keeping media paths inside their folder."""

import gzip
import json
import random
import tracemalloc
import warnings

import pytest

from labelspace import FormatError, Project
from labelspace.formats import DroppedLabelsWarning, Limits, guess_format, load, save
from labelspace.formats._reading import read_bytes
from tests.conftest import World
from tests.formats.samples import image_project, video_project


def shuffled(d, seed=0):
    """The same JSON object with its keys in another order, all the way down."""
    rng = random.Random(seed)
    if isinstance(d, dict):
        keys = list(d)
        rng.shuffle(keys)
        return {k: shuffled(d[k], seed + 1) for k in keys}
    if isinstance(d, list):
        return [shuffled(v, seed + 1) for v in d]
    return d


@pytest.mark.parametrize("fmt", ["labelspace", "coco", "encord", "labelstudio"])
@pytest.mark.parametrize("make", [image_project, video_project])
def test_a_json_format_is_recognised_whatever_its_size_and_key_order(tmp_path, fmt, make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DroppedLabelsWarning)
        save(make(), tmp_path / "out.json", fmt)
    d = json.loads((tmp_path / "out.json").read_text())
    (tmp_path / "shuffled.json").write_text(json.dumps(shuffled(d)))
    (tmp_path / "gzipped.json.gz").write_bytes(gzip.compress(json.dumps(shuffled(d, 7)).encode()))
    for name in ("out.json", "shuffled.json", "gzipped.json.gz"):
        assert guess_format(tmp_path / name) == fmt, name


def test_a_small_native_project_is_not_taken_for_a_label_row(tmp_path):
    """The bug that broke a new user's first chain: a project whose ontology fits in 512 bytes."""
    world = World()
    small = Project(world.ontology)
    row = world.row()
    row.add_image_space("a", 4, 4)
    small.add_row(row)
    save(small, tmp_path / "p.json", "labelspace")
    again = load(tmp_path / "p.json")
    assert len(again.rows) == 1 and guess_format(tmp_path / "p.json") == "labelspace"


def test_folders_and_other_files_are_recognised(tmp_path):
    project = image_project()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DroppedLabelsWarning)
        for fmt, name in (("yolo", "y"), ("voc", "v"), ("labelme", "lm"), ("cvat", "c.xml"), ("parquet", "p.parquet")):
            save(project, tmp_path / name, fmt)
            assert guess_format(tmp_path / name) == fmt
    assert guess_format(tmp_path / "y" / "data.yaml") == "yolo"
    assert guess_format(next((tmp_path / "v" / "Annotations").glob("*.xml"))) == "voc"
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(FormatError, match=r"notes\.txt: cannot tell its format; pass --from"):
        guess_format(tmp_path / "notes.txt")
    (tmp_path / "other.json").write_text('{"hello": [1, 2]}')
    with pytest.raises(FormatError, match=r"other\.json: a JSON file, but not one of the formats .* keys \['hello'\]"):
        guess_format(tmp_path / "other.json")


def test_a_small_gzip_that_inflates_past_the_limit_is_refused_a_piece_at_a_time(tmp_path):
    bomb = tmp_path / "bomb.json.gz"
    with gzip.open(bomb, "wb") as f:
        for _ in range(64):
            f.write(b" " * 2**20)  # 64 MiB of spaces in about 64 KiB
    assert bomb.stat().st_size < 200_000
    tracemalloc.start()
    with pytest.raises(FormatError, match=r"bomb\.json\.gz inflates to more than 16,777,216 bytes"):
        read_bytes(bomb, Limits(max_file_bytes=16 * 2**20))
    assert tracemalloc.get_traced_memory()[1] < 40 * 2**20
    tracemalloc.stop()
    (tmp_path / "cut.json.gz").write_bytes(bomb.read_bytes()[:5000])
    with pytest.raises(FormatError, match=r"cut\.json\.gz: not a whole gzip file"):
        load(tmp_path / "cut.json.gz", "coco")
    (tmp_path / "big.json").write_bytes(b"[" + b" " * 1000 + b"]")
    with pytest.raises(FormatError, match=r"big\.json is larger than 100 bytes, the reader's limit"):
        load(tmp_path / "big.json", limits=Limits(max_file_bytes=100))


def test_declared_frame_counts_and_sizes_are_checked_before_use(tmp_path):
    save(video_project(), tmp_path / "v.json", "labelspace")
    with pytest.raises(FormatError, match="20 frames is more than the reader's limit of 10"):
        load(tmp_path / "v.json", limits=Limits(max_frames=10))
    d = json.loads((tmp_path / "v.json").read_text())
    save(image_project(), tmp_path / "c.json", "coco")
    coco = json.loads((tmp_path / "c.json").read_text())
    coco["images"][0]["labelspace"]["number_of_frames"] = 10**12
    coco["images"][0]["labelspace"]["kind"] = "video"
    (tmp_path / "c.json").write_text(json.dumps(coco))
    with pytest.raises(FormatError, match=r"images\[0\]\.labelspace\.number_of_frames: 1,000,000,000,000 frames"):
        load(tmp_path / "c.json")
    assert d["format"] == "labelspace.project"


@pytest.mark.parametrize("fmt", ["coco", "cvat", "labelspace", "parquet", "encord", "labelme", "labelstudio", "voc"])
@pytest.mark.parametrize("media", ["../../etc/passwd", "/etc/passwd", "a/../../b.jpg", "C:\\Windows\\a.jpg"])
def test_media_paths_that_leave_the_media_folder_are_refused_unless_allowed(tmp_path, fmt, media):
    world = World()
    project = Project(world.ontology)
    row = world.row()
    row.add_image_space("a", 8, 8)
    project.add_row(row, media=media)
    target = tmp_path / "out" / ("labels" if fmt in ("labelme", "voc") else "labels.file")
    target.parent.mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DroppedLabelsWarning)
        save(project, target, fmt)
        with pytest.raises(FormatError, match=r"leads outside .* --allow-outside-media"):
            load(target, fmt)
        [space] = load(target, fmt, allow_outside_media=True).rows[0].list_spaces()
    assert space.media.replace("\\", "/").endswith(media.replace("\\", "/").split("/")[-1])


def test_absolute_paths_inside_the_media_folder_and_urls_are_kept(tmp_path):
    world = World()
    project = Project(world.ontology)
    for media in (str(tmp_path / "images" / "a.jpg"), "https://example.org/b.jpg", "s3://bucket/c.jpg"):
        row = world.row()
        row.add_image_space("a", 8, 8)
        project.add_row(row, media=media)
    save(project, tmp_path / "p.json", "coco")
    again = load(tmp_path / "p.json", media=tmp_path)
    assert [r.list_spaces()[0].media for r in again.rows] == [
        str(tmp_path / "images" / "a.jpg"),
        "https://example.org/b.jpg",
        "s3://bucket/c.jpg",
    ]
    with pytest.raises(FormatError, match="leads outside the media root"):
        load(tmp_path / "p.json", media=tmp_path / "images" / "elsewhere")
