from click.testing import CliRunner

from labelspace import LabelRow
from labelspace.cli import main


def test_summary_labels_saves_and_reloads(tmp_path):
    result = CliRunner().invoke(main, ["summary", "--out", str(tmp_path), "--frames", "2000", "--tracks", "5"])
    assert result.exit_code == 0, result.output
    assert "round trip: the reloaded labels equal the saved ones" in result.output
    assert "dashcam.mp4" in result.output and "street.jpg" in result.output
    row = LabelRow.load(tmp_path / "labels.json")
    video = row.get_space(id="dashcam.mp4", type_="video")
    assert video.number_of_frames == 2000 and len(video.get_object_instances()) == 5
    assert len(video.get_classification_instances()) == 4


def test_bad_arguments_exit_2():
    result = CliRunner().invoke(main, ["summary", "--frames", "3"])
    assert result.exit_code == 2
    assert "--frames" in result.output


def _summary(tmp_path):
    result = CliRunner().invoke(main, ["summary", "--out", str(tmp_path), "--frames", "300", "--tracks", "3"])
    assert result.exit_code == 0, result.output
    return tmp_path / "labels.json"


def test_info(tmp_path):
    labels = _summary(tmp_path)
    result = CliRunner().invoke(main, ["info", str(labels)])
    assert result.exit_code == 0, result.output
    assert "(labelspace)" in result.output
    assert "spaces:                  2 (1 image, 1 video)" in result.output
    assert "object instances:        10 on" in result.output
    assert "car:" in result.output


def test_convert_to_coco_and_back(tmp_path):
    labels = _summary(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["convert", str(labels), str(tmp_path / "coco.json"), "--to", "coco"])
    assert result.exit_code == 0, result.output
    assert "2 spaces" in result.output
    result = runner.invoke(
        main,
        ["convert", str(tmp_path / "coco.json"), str(tmp_path / "back.json"), "--to", "labelspace", "--media", "/data"],
    )
    assert result.exit_code == 0, result.output
    original = LabelRow.load(labels)
    from labelspace import Project

    back = Project.load(tmp_path / "back.json").rows[0]
    video, again = original.get_space(id="dashcam.mp4"), back.get_space(id="dashcam.mp4")
    assert [a.coordinates for a in video.get_annotations()] == [a.coordinates for a in again.get_annotations()]
    info = runner.invoke(main, ["info", str(tmp_path / "coco.json")])
    assert info.exit_code == 0 and "(coco)" in info.output


def test_convert_errors(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["convert", "a.json"])
    assert result.exit_code == 2 and "Usage" in result.output
    result = runner.invoke(main, ["convert", "a.json", "b.json", "--to", "parquetish"])
    assert result.exit_code == 2
    result = runner.invoke(main, ["convert", str(tmp_path / "missing.json"), "out.json", "--to", "coco"])
    assert result.exit_code == 1 and "missing.json: no such file" in result.output
    (tmp_path / "bad.json").write_text('{"images": "no"}')
    result = runner.invoke(main, ["info", str(tmp_path / "bad.json")])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "bad.json: images: expected a list" in result.output
    (tmp_path / "notes.txt").write_text("hello")
    result = runner.invoke(main, ["info", str(tmp_path / "notes.txt")])
    assert result.exit_code == 1 and "notes.txt: cannot tell its format" in result.output


def test_convert_to_encord_and_back(tmp_path):
    labels = _summary(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["convert", str(labels), str(tmp_path / "row.json"), "--to", "encord"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "row.ontology.json").exists()
    result = runner.invoke(
        main,
        [
            "convert",
            str(tmp_path / "row.json"),
            str(tmp_path / "back.json"),
            "--to",
            "labelspace",
            "--ontology",
            str(tmp_path / "row.ontology.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "(encord)" in runner.invoke(main, ["info", str(tmp_path / "row.json")]).output
