import pytest

from labelspace import BoundingBoxCoordinates, FormatError, LabelRow, LabelRowError, Project, Range

BOX = BoundingBoxCoordinates(height=0.1, width=0.2, top_left_x=0.3, top_left_y=0.4)


def make_project(world):
    project = Project(world.ontology)
    for i in range(3):
        row = world.row()
        video = row.add_video_space("cam", 50, 64, 48, fps=10)
        image = row.add_image_space("still", 64, 48)
        car = world.box.create_instance()
        car.set_answer(f"make {i}", world.make)
        video.put_object_instance(car, Range(0, 9 + i), BOX)
        image.put_object_instance(world.box.create_instance(), BOX)
        project.add_row(row, media={"cam": f"videos/{i}.mp4", "still": f"stills/{i}.jpg"})
    return project


def test_rows_media_and_round_trip(world, tmp_path):
    project = make_project(world)
    assert len(project) == 3 and [r.get_space(id="cam").media for r in project] == [f"videos/{i}.mp4" for i in range(3)]
    d = project.to_dict()
    assert "ontology" not in d["rows"][0]  # stored once
    again = Project.from_dict(d)
    assert again.to_dict() == d
    for name in ("p.json", "p.json.gz"):
        project.save(tmp_path / name)
        loaded = Project.load(tmp_path / name, world.ontology)
        assert loaded.to_dict() == d and loaded.ontology is world.ontology
    one = Project.of(project.rows[0])
    assert one.rows == [project.rows[0]]


def test_add_row_errors(world):
    project = Project(world.ontology)
    from tests.conftest import World

    with pytest.raises(LabelRowError, match="another ontology"):
        project.add_row(LabelRow(World().ontology))
    row = world.row()
    row.add_image_space("a", 10, 10)
    row.add_image_space("b", 10, 10)
    with pytest.raises(LabelRowError, match="One media path fits a row with one space"):
        project.add_row(row, media="x.jpg")
    with pytest.raises(LabelRowError, match=r"media names space 'c', but the row's spaces are \['a', 'b'\]"):
        project.add_row(row, media={"c": "x.jpg"})
    assert len(project) == 0
    project.add_row(row)
    with pytest.raises(LabelRowError, match="already in the project"):
        project.add_row(row)


def test_malformed_project_files_name_the_row(world, tmp_path):
    d = make_project(world).to_dict()
    d["rows"][2]["spaces"][0]["objects"][0]["ends"] = [500]
    with pytest.raises(LabelRowError, match=r"rows\[2\]\.spaces\[0\]\.objects\[0\]: frames must lie in 0\.\.49"):
        Project.from_dict(d)
    (tmp_path / "bad.json").write_text('{"format": "labelspace.label_row"}')
    with pytest.raises(FormatError, match=r"bad\.json: version: this labelspace reads version 1"):
        Project.load(tmp_path / "bad.json")
