from click.testing import CliRunner

from labelspace import LabelRow
from labelspace.cli import main


def test_demo_labels_saves_and_reloads(tmp_path):
    result = CliRunner().invoke(main, ["demo", "--out", str(tmp_path), "--frames", "2000", "--tracks", "5"])
    assert result.exit_code == 0, result.output
    assert "round trip: the reloaded labels equal the saved ones" in result.output
    assert "dashcam.mp4" in result.output and "street.jpg" in result.output
    row = LabelRow.load(tmp_path / "labels.json")
    video = row.get_space(id="dashcam.mp4", type_="video")
    assert video.number_of_frames == 2000 and len(video.get_object_instances()) == 5
    assert len(video.get_classification_instances()) == 4


def test_bad_arguments_exit_2():
    result = CliRunner().invoke(main, ["demo", "--frames", "3"])
    assert result.exit_code == 2
    assert "--frames" in result.output
