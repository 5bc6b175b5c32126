import copy
import json
from datetime import datetime, timezone

import numpy as np
import pytest

from labelspace import (
    BoundingBoxCoordinates,
    FormatError,
    ImageSpace,
    LabelRow,
    LabelRowError,
    MedicalSpace,
    Ontology,
    PointCoordinate,
    PolygonCoordinates,
    Range,
    Shape,
    VideoSpace,
)

BOX = BoundingBoxCoordinates(height=0.1, width=0.2, top_left_x=0.3, top_left_y=0.4)


def full_row(world):
    """A row that uses every kind of space, shape, answer and metadata."""
    row = world.row()
    image = row.add_image_space("img", 64, 48)
    video = row.add_video_space("cam", 1000, 64, 48, fps=29.97)
    scan = row.add_medical_space("ct", 40, 512, 512, "dicom")
    car = world.box.create_instance()
    car.set_answer(world.red)
    car.set_answer("crimson", world.shade)
    car.set_answer("Volvo", world.make)
    image.put_object_instance(
        car,
        BOX,
        created_by="a@x.org",
        confidence=0.25,
        manual_annotation=False,
        created_at=datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=timezone.utc),
    )
    video.put_object_instance(car, Range(0, 499), BOX, last_edited_by="b@x.org")
    video.put_object_track(
        car,
        np.arange(600, 700),
        np.tile([0.1, 0.1, 0.2, 0.2], (100, 1)) + np.linspace(0, 0.5, 100)[:, None] * [1, 0, 0, 0],
    )
    video.set_dynamic_answer(car, Range(0, 99), world.visible)
    video.set_dynamic_answer(car, Range(100, 650), world.hidden)
    video.set_dynamic_answer(car, Range(0, 9), [world.dirty, world.dented])
    video.set_dynamic_answer(car, 650, 88.5)
    video.set_dynamic_answer(car, Range(3, 4), "scratch", world.note)
    road = world.polygon.create_instance()
    scan.put_object_instance(
        road,
        Range(5, 9),
        PolygonCoordinates(values=[PointCoordinate(0, 0), PointCoordinate(1, 0), PointCoordinate(0, 1)]),
    )
    weather = world.weather.create_instance()
    weather.set_answer(world.rain)
    video.put_classification_instance(weather, [Range(0, 9), Range(20, 29)], confidence=0.5)
    image.put_classification_instance(world.weather.create_instance())
    scene = world.scene.create_instance()
    scene.set_answer("motorway")
    video.put_classification_instance(scene)
    return row


def snapshot(row):
    """Everything readable through the public API, as plain values."""
    out = {}
    for space in row.list_spaces():
        anns = [
            (
                a.frame,
                a.object_hash,
                a.coordinates,
                a.created_at,
                a.created_by,
                a.last_edited_at,
                a.last_edited_by,
                a.confidence,
                a.manual_annotation,
            )
            for a in space.get_annotations("object")
        ]
        cls = [
            (a.frame, a.classification_hash, a.is_global, a.created_at, a.confidence)
            for a in space.get_annotations("classification")
        ]
        out[space.space_id] = (type(space).__name__, space.width, space.height, space.number_of_frames, anns, cls)
    return out


def test_spaces_of_every_kind(world):
    row = world.row()
    assert isinstance(row.add_image_space("i", 10, 10), ImageSpace)
    v = row.add_video_space("v", 5, 10, 10, fps=30)
    m = row.add_medical_space("m", 5, 10, 10, "nifti")
    assert isinstance(v, VideoSpace) and v.fps == 30.0 and isinstance(m, MedicalSpace) and m.modality == "nifti"
    assert row.get_space(id="v", type_="video") is v
    assert row.get_space(id="m") is m
    assert [s.space_id for s in row.list_spaces()] == ["i", "v", "m"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r: r.add_image_space("i", 10, 10), "already has a space 'i'"),
        (lambda r: r.add_image_space("x", 0, 10), "width must be a positive int"),
        (lambda r: r.add_video_space("x", 10, 10, 10.5), "height must be a positive int"),
        (lambda r: r.add_video_space("x", 0, 10, 10), "number_of_frames must be a positive int"),
        (lambda r: r.add_video_space("x", 10, 10, 10, fps=-1), "fps must be a positive number"),
        (lambda r: r.add_medical_space("x", 10, 10, 10, "mri"), "modality must be 'dicom' or 'nifti'"),
        (lambda r: r.add_image_space("", 10, 10), "non-empty str"),
        (lambda r: r.get_space(id="nope"), r"no space 'nope'; its spaces are \['i'\]"),
        (lambda r: r.get_space(id="i", type_="video"), "'i' is a image space, not a video space"),
        (lambda r: r.get_space(id="i", type_="audio"), "type_ must be"),
    ],
)
def test_label_row_errors(world, call, message):
    row = world.row()
    row.add_image_space("i", 10, 10)
    with pytest.raises(LabelRowError, match=message):
        call(row)
    assert [s.space_id for s in row.list_spaces()] == ["i"]


def test_dict_round_trip_keeps_everything(world):
    row = full_row(world)
    d = row.to_dict()
    json.dumps(d)  # plain JSON
    again = LabelRow.from_dict(d)
    assert again.to_dict() == d
    assert snapshot(again) == snapshot(row)
    video = again.get_space(id="cam", type_="video")
    [car] = video.get_object_instances()
    o = again.ontology
    assert car.get_answer(o.get_child_by_hash("shad0001")) == "crimson"
    occlusion = o.get_child_by_hash("occl0001")
    assert [(a.answer.label, a.ranges) for a in video.get_dynamic_answer(car, Range(0, 999), occlusion)] == [
        ("visible", [Range(0, 99)]),
        ("hidden", [Range(100, 499), Range(600, 650)]),
    ]
    assert video.get_dynamic_answer(car, 650, o.get_child_by_hash("sped0001"))[0].answer == 88.5
    assert video.fps == 29.97


@pytest.mark.parametrize("name", ["labels.json", "labels.json.gz"])
def test_save_and_load(world, tmp_path, name):
    row = full_row(world)
    path = tmp_path / name
    row.save(path)
    if name.endswith(".gz"):
        assert path.read_bytes()[:2] == b"\x1f\x8b"
    loaded = LabelRow.load(path)
    assert snapshot(loaded) == snapshot(row)
    assert loaded.ontology == world.ontology and loaded.ontology is not world.ontology
    with_ontology = LabelRow.load(str(path), world.ontology)
    assert with_ontology.ontology is world.ontology
    [car] = with_ontology.get_space(id="img").get_object_instances()
    assert car.ontology_item is world.box
    assert car.get_answer(world.colour) is world.red


def test_load_with_a_different_ontology_is_refused(world, tmp_path):
    row = full_row(world)
    row.save(tmp_path / "l.json")
    other = Ontology.from_dict(world.ontology.to_dict())
    other.add_object("bus", Shape.BOUNDING_BOX, feature_node_hash="bus00001")
    with pytest.raises(FormatError, match="does not match the file's: the ontology given has object 'bus'"):
        LabelRow.load(tmp_path / "l.json", other)
    fewer = Ontology()
    with pytest.raises(FormatError, match="object 'car' \\(box00001\\) is missing from the ontology given"):
        LabelRow.load(tmp_path / "l.json", fewer)


def test_load_errors_name_the_file(tmp_path, world):
    with pytest.raises(FileNotFoundError):
        LabelRow.load(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(FormatError, match=r"bad\.json: not valid JSON"):
        LabelRow.load(bad)
    bad.write_text(json.dumps({"format": "coco"}))
    with pytest.raises(FormatError, match=r"bad\.json: format: expected 'labelspace.label_row'"):
        LabelRow.load(bad)


CORRUPTIONS = [
    (lambda d: d.update(version=99), "reads version 1, the file is version 99"),
    (lambda d: d["spaces"][1].update(kind="audio"), r"spaces\[1\]\.kind: expected 'image', 'video' or 'medical'"),
    (
        lambda d: d["spaces"][1]["objects"][0].update(starts=[0, 600, 500]),
        r"spaces\[1\]\.objects\[0\]\.ends: expected 3 values",
    ),
    (lambda d: d["spaces"][1]["objects"][0]["ends"].__setitem__(0, 700), r"run 1 starts at .*sorted and disjoint"),
    (lambda d: d["spaces"][1]["objects"][0]["ends"].__setitem__(-1, 5000), r"frames must lie in 0\.\.999"),
    (
        lambda d: d["spaces"][1]["objects"][0]["meta"].__setitem__(0, 50),
        r"objects\[0\]\.meta: expected metadata records",
    ),
    (lambda d: d["spaces"][1]["objects"][0]["rows"].__setitem__(0, 7.0), r"objects\[0\]\.rows: values row 0"),
    (lambda d: d["spaces"][1]["objects"][0].update(rows=[0.1]), r"objects\[0\]\.rows: expected \d+ values"),
    (lambda d: d["spaces"][1]["objects"][0].update(object_hash="ghost"), "'ghost' is not listed"),
    (
        lambda d: d["objects"][0].update(feature_node_hash="weat0001"),
        r"objects\[0\]\.feature_node_hash: 'weat0001' is not a Object",
    ),
    (
        lambda d: d["objects"][0]["answers"].update(colr0001="purple"),
        r"objects\[0\]\.answers\.colr0001: 'purple' is not an option",
    ),
    (lambda d: d["objects"][0]["answers"].update(make0001=5), r"answers\.make0001: TextAttribute 'make' needs a str"),
    (lambda d: d["spaces"][1]["objects"][0]["dynamic"][0].update(attribute="colr0001"), "is not a dynamic attribute"),
    (lambda d: d["spaces"][1]["objects"][0]["dynamic"][0]["ends"].__setitem__(-1, 750), "frames the object is not on"),
    (
        lambda d: d["spaces"][1]["metadata"].update(confidence=[2.0] * len(d["spaces"][1]["metadata"]["confidence"])),
        r"metadata\.confidence: expected values from 0\.0 to 1\.0",
    ),
    (
        lambda d: d["spaces"][1]["metadata"]["created_by"].__setitem__(0, 9),
        r"metadata\.created_by: expected user indexes",
    ),
    (lambda d: d["spaces"][1]["metadata"].update(created_at="yesterday"), r"metadata\.created_at: expected a list"),
    (
        lambda d: d["spaces"][2]["objects"][0]["coordinates"][0].update(polygons=[[[0.1, 0.1]]]),
        r"coordinates\[0\]: PolygonCoordinates\.polygons ring needs at least 3 points",
    ),
    (
        lambda d: (
            d["spaces"][1]["classifications"][0].update(starts=[0], ends=[9], meta=[0])
            or d["spaces"][1]["classifications"].append(
                {
                    "classification_hash": d["spaces"][1]["classifications"][0]["classification_hash"],
                    "starts": [5],
                    "ends": [5],
                    "meta": [0],
                }
            )
        ),
        "appears twice on this space",
    ),
    (lambda d: d["spaces"][1]["classifications"][1].pop("global_meta"), "global classification takes no frames"),
    (lambda d: d.update(spaces=[d["spaces"][0], d["spaces"][0]]), "already has a space 'img'"),
]


@pytest.mark.parametrize(("corrupt", "message"), CORRUPTIONS)
def test_malformed_rows_name_the_field(world, corrupt, message):
    d = copy.deepcopy(full_row(world).to_dict())
    corrupt(d)
    with pytest.raises(LabelRowError, match=message):
        LabelRow.from_dict(d)


def test_failed_save_leaves_no_file(world, tmp_path):
    row = full_row(world)
    target = tmp_path / "missing-dir" / "l.json"
    with pytest.raises(FormatError, match=r"missing-dir: no such folder to write l\.json into"):
        row.save(target)
    assert not target.exists()
    row.save(tmp_path / "l.json")
    assert [p.name for p in tmp_path.iterdir()] == ["l.json"]


def test_unused_metadata_records_are_not_saved(world):
    row, space = world.video(100)
    car = world.box.create_instance()
    for i in range(5):
        space.put_object_instance(car, 0, BOX, on_overlap="replace", created_by=f"user{i}")
    d = row.to_dict()
    assert len(d["spaces"][0]["metadata"]["created_at"]) == 1
    assert snapshot(LabelRow.from_dict(d)) == snapshot(row)


def test_saved_files_pack_long_columns_and_read_both_forms(world, tmp_path):
    import orjson

    from labelspace.formats.native import to_native

    row = full_row(world)
    packed = orjson.loads(orjson.dumps(to_native(row)))
    track = packed["spaces"][1]["objects"][0]
    assert set(track["rows"]) == {"dtype", "base64"} and track["rows"]["dtype"] == "<f8"
    assert isinstance(track["starts"], (list, dict))
    assert snapshot(LabelRow.from_dict(packed)) == snapshot(row)
    assert LabelRow.from_dict(packed).to_dict() == row.to_dict()


@pytest.mark.parametrize(
    ("packed", "message"),
    [
        ({"dtype": "<f4", "base64": ""}, "a packed column needs dtype"),
        ({"dtype": "<f8", "base64": "!!!"}, "base64 text is malformed"),
        ({"dtype": "<f8", "base64": "AAAA"}, "3 bytes is not a whole number of <f8 values"),
        ({"dtype": "<i4", "base64": "AAAAAA=="}, "expected float64 values, the column holds int32"),
        ({"dtype": "<f8", "base64": "AAAAAAAAAAA="}, r"rows: expected \d+ values, got 1"),
    ],
)
def test_malformed_packed_columns(world, packed, message):
    d = full_row(world).to_dict()
    d["spaces"][1]["objects"][0]["rows"] = packed
    with pytest.raises(LabelRowError, match=message):
        LabelRow.from_dict(d)
