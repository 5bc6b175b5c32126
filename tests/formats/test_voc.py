import pytest

from labelspace import BoundingBoxCoordinates, FormatError, Project
from labelspace.formats import DroppedLabelsWarning, guess_format, load
from labelspace.formats.voc import load_voc, save_voc
from tests.formats.test_coco import full_project


def test_boxes_round_trip_and_drops_are_reported(world, tmp_path):
    project = full_project(world)
    with pytest.warns(DroppedLabelsWarning, match="Pascal VOC cannot hold everything; dropped .*polygon annotations"):
        save_voc(project, tmp_path / "voc")
    assert guess_format(tmp_path / "voc") == "voc"
    xml = (tmp_path / "voc" / "Annotations" / "photos_1.xml").read_text()
    assert "<xmin>9</xmin>" in xml and "<xmax>40</xmax>" in xml  # x 8..39 as 1-based inclusive corners
    again = load(tmp_path / "voc", ontology=world.ontology)
    boxes = {
        (space.space_id, a.frame): a.coordinates
        for row in again.rows
        for space in row.list_spaces()
        for a in space.get_annotations()
    }
    original = project.rows[0].get_space(id="photo").get_annotations_on_frame(0)[0].coordinates
    assert boxes[("photos_1", 0)] == original
    assert boxes[("clips_1_000004", 0)] == original  # frame 4 of clips/1.mp4
    media = {space.space_id: space.media for row in again.rows for space in row.list_spaces()}
    assert media["photos_1"] == "photos/1.jpg"


def test_a_folder_from_elsewhere(tmp_path):
    (tmp_path / "a.xml").write_text(
        "<annotation><filename>a.jpg</filename><size><width>100</width><height>50</height><depth>3</depth></size>"
        "<object><name>dog</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>50</xmax><ymax>25</ymax></bndbox></object>"
        "</annotation>"
    )
    project = load_voc(tmp_path)
    [space] = project.rows[0].list_spaces()
    [dog] = list(space.get_annotations())
    assert dog.coordinates == BoundingBoxCoordinates(height=0.5, width=0.5, top_left_x=0.0, top_left_y=0.0)
    assert space.media == "a.jpg" and isinstance(project, Project)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "<annotation><size><width>x</width><height>5</height></size></annotation>",
            r"size/width: expected a whole number, got str 'x'",
        ),
        (
            "<annotation><size><width>10</width><height>5</height></size><object><name>dog</name><bndbox>"
            "<xmin>1</xmin><ymin>1</ymin><xmax>oops</xmax><ymax>2</ymax></bndbox></object></annotation>",
            r"object 0: bndbox/xmax: expected a number",
        ),
        (
            "<annotation><size><width>10</width><height>5</height></size><object><name>dog</name><bndbox>"
            "<xmin>1</xmin><ymin>1</ymin><xmax>50</xmax><ymax>2</ymax></bndbox></object></annotation>",
            r"object 0: bndbox: BoundingBoxCoordinates\.from_pixels: \(0, 0, 50, 2\) reaches outside the 10 x 5 image",
        ),
        ("<notes/>", r"expected an <annotation> document"),
        ("<annotation>", r"not valid XML"),
    ],
)
def test_malformed_files_name_the_object_and_field(tmp_path, body, message):
    (tmp_path / "bad.xml").write_text(body)
    with pytest.raises(FormatError, match=r"bad\.xml: " + message):
        load_voc(tmp_path)
