"""The command line reads everything it writes: ``convert`` from every format to every other, ``info`` on each output.

The way a new user chains it: their labels to one format, that file onward to another, then ``info``.
"""

import warnings

import pytest
from click.testing import CliRunner
from PIL import Image

from labelspace.cli import main
from labelspace.formats import FORMAT_NAMES, DroppedLabelsWarning, save
from tests.formats.samples import image_project, video_project

OUT = dict.fromkeys(FORMAT_NAMES, "out.json") | {
    "cvat": "out.xml",
    "voc": "voc",
    "yolo": "yolo",
    "labelme": "labelme",
    "parquet": "out.parquet",
}
VIDEO_FORMATS = ["labelspace", "coco", "encord", "cvat", "parquet", "labelstudio"]


def run(*args):
    """Run the CLI; return its status and what it printed to standard output (warnings go to standard error)."""
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout if result.exit_code == 0 else result.output


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    """The image project in each format, written by the CLI from labelspace's own file, and its media folder."""
    root = tmp_path_factory.mktemp("images")
    media = root / "media"
    project = image_project()
    for row in project.rows:
        for space in row.list_spaces():
            path = media / space.media
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (space.width, space.height)).save(path)
    save(project, root / "labels.json", "labelspace")
    written = {}
    for fmt in FORMAT_NAMES:
        target = root / "first" / fmt / OUT[fmt]
        target.parent.mkdir(parents=True)
        code, output = run("convert", root / "labels.json", target, "--to", fmt, "--media", media)
        assert code == 0, output
        written[fmt] = target
    return written, media


def boxes(output):
    """The number of car boxes ``info`` reports."""
    for line in output.splitlines():
        if line.strip().startswith("car:"):
            return int(line.split(":")[1])
    return 0


@pytest.mark.parametrize("target", FORMAT_NAMES)
@pytest.mark.parametrize("source", FORMAT_NAMES)
def test_convert_every_format_to_every_other_then_info(images, tmp_path, source, target):
    written, media = images
    out = tmp_path / OUT[target]
    code, output = run("convert", written[source], out, "--to", target, "--media", media)
    assert code == 0, output
    assert f"wrote {out} ({target})" in output
    code, output = run("info", out, "--media", media)
    assert code == 0, output
    assert f"({target})" in output.splitlines()[0]
    assert boxes(output) == 2, output  # both car boxes survive every format


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    root = tmp_path_factory.mktemp("video")
    save(video_project(), root / "labels.json", "labelspace")
    written = {}
    for fmt in VIDEO_FORMATS:
        target = root / "first" / fmt / OUT[fmt]
        target.parent.mkdir(parents=True)
        code, output = run("convert", root / "labels.json", target, "--to", fmt)
        assert code == 0, output
        written[fmt] = target
    return written


@pytest.mark.parametrize("target", FORMAT_NAMES)
@pytest.mark.parametrize("source", VIDEO_FORMATS)
def test_a_video_goes_from_every_video_format_to_every_format(video, tmp_path, source, target):
    out = tmp_path / OUT[target]
    code, output = run("convert", video[source], out, "--to", target)
    assert code == 0, output
    media = ["--media", _frame_images(out)] if target == "yolo" else []
    code, output = run("info", out, *media)
    assert code == 0, output
    assert boxes(output) == 14, output  # the car's box on 14 frames, as a track or as frame images


def _frame_images(dataset):
    """The frame images a YOLO dataset takes its sizes from."""
    folder = dataset.parent / "frames"
    for label in (dataset / "labels").rglob("*.txt"):
        image = folder / "images" / label.relative_to(dataset / "labels").with_suffix(".png")
        image.parent.mkdir(parents=True, exist_ok=True)
        Image.new("1", (64, 48)).save(image)
    return folder


def test_what_a_format_drops_is_printed_as_one_warning_line(images, tmp_path):
    written, _ = images
    result = CliRunner().invoke(main, ["convert", str(written["labelspace"]), str(tmp_path / "y"), "--to", "yolo"])
    assert result.exit_code == 0
    assert "warning" not in result.stdout
    [warning] = [line for line in result.stderr.splitlines() if line.startswith("labelspace: warning:")]
    assert "YOLO cannot hold everything; dropped" in warning and "annotation times" in warning


def test_bad_files_are_one_line_and_status_1(tmp_path):
    cases = {
        "nan.json": '{"images": [{"id": 1, "width": NaN, "height": 4}], "annotations": []}',
        "list.json": '{"images": [{"id": [1], "width": 4, "height": 4}], "categories": []}',
        "cut.json": '{"format": "labelspace.project", "rows": [',
        "huge.json": '{"images": [{"id": 1, "width": 60000, "height": 60000, "file_name": "a.jpg"}], '
        '"categories": [{"id": 1, "name": "x"}], '
        '"annotations": [{"id": 1, "image_id": 1, "category_id": 1, "segmentation": {"size": [60000, 60000], '
        '"counts": "0"}}]}',
        "tasks.json": '[{"data": {"image": "../../x.jpg"}, "annotations": [{"result": [{"type": "choices"}]}]}]',
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
        code, output = run("info", tmp_path / name)
        assert code == 1, (name, output)
        assert output.count("\n") == 1 and output.startswith(f"labelspace: {tmp_path / name}"), (name, output)
        assert "Traceback" not in output
    code, output = run("convert", tmp_path / "nan.json", tmp_path / "out.json", "--to", "labelspace")
    assert code == 1 and not (tmp_path / "out.json").exists()


def test_a_folder_output_is_not_mixed_with_an_old_one(images, tmp_path):
    written, _ = images
    (tmp_path / "ds").mkdir()
    (tmp_path / "ds" / "stale.txt").write_text("from an earlier export")
    code, output = run("convert", written["labelspace"], tmp_path / "ds", "--to", "yolo")
    assert code == 1 and "already holds files" in output and "--overwrite" in output
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DroppedLabelsWarning)
        code, output = run("convert", written["labelspace"], tmp_path / "ds", "--to", "yolo", "--overwrite")
    assert code == 0 and not (tmp_path / "ds" / "stale.txt").exists()


def test_encord_layout_and_coco_results_from_the_command_line(tmp_path):
    import json

    from tests.formats.samples import coco_results

    save(video_project(), tmp_path / "labels.json", "labelspace")
    code, output = run(
        "convert", tmp_path / "labels.json", tmp_path / "row.json", "--to", "encord", "--layout", "group"
    )
    assert code == 0, output
    assert json.loads((tmp_path / "row.json").read_text())["data_type"] == "group"
    code, output = run("convert", tmp_path / "labels.json", tmp_path / "x.json", "--to", "encord", "--layout", "image")
    assert code == 1 and "cannot hold a row of spaces ['video']" in output
    dataset, results = coco_results()
    (tmp_path / "dataset.json").write_text(json.dumps(dataset))
    (tmp_path / "results.json").write_text(json.dumps(results))
    code, output = run("convert", tmp_path / "results.json", tmp_path / "p.json", "--to", "labelspace")
    assert code == 1 and "--dataset" in output
    code, output = run(
        "convert",
        tmp_path / "results.json",
        tmp_path / "p.json",
        "--to",
        "labelspace",
        "--dataset",
        tmp_path / "dataset.json",
    )
    assert code == 0, output
    code, output = run("info", tmp_path / "p.json")
    assert "object instances:        4 on 4 frames" in output
