import pytest
from PIL import Image

from labelspace import BoundingBoxCoordinates, FormatError, PointCoordinate, PolygonCoordinates, Project
from labelspace.formats import DroppedLabelsWarning, guess_format, load
from labelspace.formats.yolo import load_yolo, save_yolo
from tests.formats.test_coco import full_project

P = PointCoordinate


def test_export_reports_what_yolo_cannot_hold(world, tmp_path):
    project = full_project(world)
    with pytest.warns(DroppedLabelsWarning, match="dropped .*classification annotations.*dynamic answers") as caught:
        dropped = save_yolo(project, tmp_path / "ds")
    assert dropped["skeleton annotations"] == 2 and dropped["polygon holes"] == 2
    assert dropped["bitmask annotations"] == 2 and dropped["polyline annotations"] == 2
    assert "rotatable_bounding_box annotations" in str(caught[0].message)
    lines = (tmp_path / "ds" / "labels" / "clips" / "1_000003.txt").read_text().splitlines()
    assert len(lines) == 3  # the car's box and two polygons on frame 3 of clips/1.mp4
    assert guess_format(tmp_path / "ds") == "yolo"


def test_boxes_and_polygons_round_trip(world, tmp_path):
    project = Project(world.ontology)
    row = world.row()
    image = row.add_image_space("street", 640, 480)
    box = BoundingBoxCoordinates(height=0.25, width=0.5, top_left_x=0.125, top_left_y=0.3)
    polygon = PolygonCoordinates(values=[P(0.1, 0.1), P(0.6, 0.15), P(0.4, 0.5)])
    image.put_object_instance(world.box.create_instance(), box)
    image.put_object_instance(world.polygon.create_instance(), polygon)
    project.add_row(row)
    save_yolo(project, tmp_path / "ds")
    Image.new("RGB", (640, 480)).save(tmp_path / "ds" / "images.jpg")  # not where images go: ignored
    (tmp_path / "ds" / "images").mkdir()
    Image.new("RGB", (640, 480)).save(tmp_path / "ds" / "images" / "street.jpg")
    again = load(tmp_path / "ds", ontology=world.ontology)
    [space] = again.rows[0].list_spaces()
    assert (space.width, space.height, space.media.endswith("street.jpg")) == (640, 480, True)
    got = {a.object_instance.ontology_item.name: a.coordinates for a in space.get_annotations()}
    assert got["road"] == polygon
    for field in ("top_left_x", "top_left_y", "width", "height"):
        assert getattr(got["car"], field) == pytest.approx(getattr(box, field), abs=1e-12)


def test_a_dataset_from_elsewhere(tmp_path):
    root = tmp_path / "ds"
    (root / "labels" / "train").mkdir(parents=True)
    (root / "images" / "train").mkdir(parents=True)
    (root / "data.yaml").write_text("names:\n  0: cat\n  1: puddle\n")
    (root / "labels" / "train" / "a.txt").write_text("0 0.5 0.5 0.2 0.4\n1 0.1 0.1 0.3 0.1 0.2 0.3\n\n")
    Image.new("RGB", (100, 50)).save(root / "images" / "train" / "a.jpg")
    project = load_yolo(root / "data.yaml")
    assert [(o.name, o.shape.value) for o in project.ontology.objects] == [
        ("cat", "bounding_box"),
        ("puddle", "polygon"),
    ]
    [space] = project.rows[0].list_spaces()
    cat, puddle = [a.coordinates for a in space.get_annotations()]
    assert cat.top_left_x == pytest.approx(0.4) and cat.height == pytest.approx(0.4)
    assert puddle.values[2] == P(0.2, 0.3)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("0 0.5 0.5 0.2", r"a\.txt: line 2: expected 4 numbers \(a box\), 5 \(a box and its confidence\) or 6\+"),
        ("7 0.5 0.5 0.2 0.2", r"a\.txt: line 2: class 7 is not in data\.yaml's 2 names"),
        ("0 50 50 20 20", r"a\.txt: line 2: value 2: 50\.0 is outside 0\.\.1; YOLO labels are normalised"),
        ("cat 0.5 0.5 0.2 0.2", r"a\.txt: line 2: expected a number, got 'cat'"),
        ("0 nan 0.5 0.2 0.2", r"a\.txt: line 2: value 2: expected a finite number, got nan"),
        ("0 0.5 0.5 0.2 0.2 1e400", r"a\.txt: line 2: value 6: expected a finite number, got inf"),
    ],
)
def test_malformed_labels_name_file_and_line(tmp_path, line, message):
    root = tmp_path / "ds"
    (root / "labels").mkdir(parents=True)
    (root / "data.yaml").write_text("names: [cat, dog]\n")
    (root / "labels" / "a.txt").write_text(f"0 0.5 0.5 0.2 0.2\n{line}\n")
    with pytest.raises(FormatError, match=message):
        load_yolo(root)


def test_missing_image_and_yaml(tmp_path):
    root = tmp_path / "ds"
    (root / "labels").mkdir(parents=True)
    (root / "labels" / "a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    with pytest.raises(FormatError, match=r"data\.yaml: missing"):
        load_yolo(root)
    (root / "data.yaml").write_text("names: [cat]\n")
    with pytest.raises(FormatError, match=r"labels/a\.txt: no image a\.\* under .* pass the folder that holds"):
        load_yolo(root)
