"""Encord label-row JSON in every layout, checked against the Encord SDK in both directions.

The oracle is the SDK itself: rows of every layout are built with the SDK offline and serialised
by it; labelspace reads them, writes them back, and the SDK reads what labelspace wrote. Fact by
fact, what comes back is what went in, less what labelspace announces it drops.
"""

import json
from datetime import datetime, timezone

import numpy as np
import pytest

pytest.importorskip("encord")

from encord.objects.coordinates import BoundingBoxCoordinates as EncordBox
from encord.objects.frames import Range as EncordRange
from encord.objects.ontology_object_instance import ObjectInstance as EncordObjectInstance
from encord.objects.ontology_structure import OntologyStructure

from labelspace import (
    BitmaskCoordinates,
    BoundingBoxCoordinates,
    FormatError,
    PointCoordinate,
    PolygonCoordinates,
    PolylineCoordinates,
    Range,
    RotatableBoundingBoxCoordinates,
    SkeletonCoordinate,
    SkeletonCoordinates,
    formats,
)
from labelspace.formats import DroppedLabelsWarning
from labelspace.formats.encord import (
    from_encord,
    load_encord,
    ontology_from_encord,
    ontology_to_encord,
    save_encord,
    to_encord,
)
from tests.encord_peer import (
    LAYOUTS,
    label_row_from_dict,
    mirror_ontology,
    sdk_examples,
    sdk_facts,
    sdk_ontology,
    sdk_row_from_dict,
    video_label_row,
)

P = PointCoordinate
MADE = datetime(2024, 3, 4, 5, 6, 7, tzinfo=timezone.utc)


def ours(world):
    row = world.row()
    video = row.add_video_space("cam", 30, 640, 480, fps=25)
    photo = row.add_image_space("photo", 64, 48)
    car = world.box.create_instance("car00001")
    car.set_answer(world.red)
    car.set_answer("Volvo", world.make)
    video.put_object_instance(
        car,
        Range(0, 9),
        BoundingBoxCoordinates(0.1, 0.2, 0.3, 0.4),
        created_at=MADE,
        created_by="a@x.org",
        confidence=0.5,
    )
    video.put_object_instance(car, 12, BoundingBoxCoordinates(0.2, 0.2, 0.3, 0.4), created_at=MADE)
    video.set_dynamic_answer(car, Range(0, 4), world.hidden)
    video.set_dynamic_answer(car, Range(5, 12), world.visible)
    video.set_dynamic_answer(car, Range(2, 3), [world.dented, world.dirty])
    video.set_dynamic_answer(car, 12, 33.5)
    for obj, c in (
        (world.rotated, RotatableBoundingBoxCoordinates(0.1, 0.1, 0.2, 0.2, 15.0)),
        (world.polygon, PolygonCoordinates(values=[P(0, 0), P(0.5, 0), P(0.5, 0.5)])),
        (world.polyline, PolylineCoordinates([P(0, 0), P(1, 1)])),
        (world.point, P(0.25, 0.75)),
    ):
        video.put_object_instance(obj.create_instance(), Range(3, 5), c, created_at=MADE)
    photo.put_object_instance(
        world.box.create_instance("car00002"), BoundingBoxCoordinates(0.5, 0.5, 0.25, 0.25), created_at=MADE
    )
    rain = world.weather.create_instance("wthr0001")
    rain.set_answer(world.rain)
    video.put_classification_instance(rain, Range(4, 8), created_at=MADE)
    scene = world.scene.create_instance("scne0001")
    scene.set_answer("motorway")
    video.put_classification_instance(scene, created_at=MADE)
    return row


def read(d, ontology):
    """A label row from an Encord dict (a one-row project's row)."""
    return from_encord(d, ontology).rows[0]


# --- every layout, against the SDK ----------------------------------------------------------------


def _without_template(fact):
    """A fact with what labelspace announces it drops taken out: skeleton nodes' template hashes and colours."""
    if fact[0] == "object" and fact[5] == "skeleton":
        nodes = json.loads(fact[6])
        kept = {k: {f: v for f, v in n.items() if f in ("x", "y", "name", "visibility")} for k, n in nodes.items()}
        return (*fact[:6], json.dumps(kept, sort_keys=True), *fact[7:])
    return fact


def kept(facts, layout):
    """The SDK facts labelspace keeps, by what its DroppedLabelsWarning lists for these examples."""
    out = []
    for fact in facts:
        if fact[0] == "object" and fact[4] == "objelps1":  # an ellipse: a kind labelspace does not draw
            continue
        if fact[0] == "dynamic" and layout in ("image", "img_group"):  # dynamic answers on images
            continue
        if fact[0] == "object" and fact[1] == "stack" and fact[5] == "bitmask":  # a mask on a slice of its own size
            continue
        out.append(_without_template(fact))
    return sorted(out, key=repr)


@pytest.fixture(scope="module")
def structure():
    return sdk_ontology()


@pytest.fixture(scope="module")
def examples(structure):
    return {layout: json.loads(json.dumps(d, default=str)) for layout, d in sdk_examples(structure).items()}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_the_sdk_writes_goes_through_and_back_fact_by_fact(structure, examples, layout):
    d = examples[layout]
    with pytest.warns(DroppedLabelsWarning):
        ontology = ontology_from_encord(structure.to_dict())
    project = from_encord(d, ontology)
    assert len(project.rows) == 1
    written = json.loads(json.dumps(to_encord(project)))
    assert written["data_type"] == ("video" if layout == "img_sequence" else layout)
    theirs = sdk_row_from_dict(structure, d)
    back = sdk_row_from_dict(structure, written)
    original = kept(sdk_facts(theirs), layout)
    assert len(original) > 10
    assert [_without_template(f) for f in sdk_facts(back)] == original


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_becomes_the_spaces_it_holds(structure, examples, layout):
    with pytest.warns(DroppedLabelsWarning):
        ontology = ontology_from_encord(structure.to_dict())
    row = read(examples[layout], ontology)
    kinds = [s.kind for s in row.list_spaces()]
    expected = {
        "image": ["image"],
        "img_group": ["image"] * 4,
        "img_sequence": ["video"],
        "video": ["video"],
        "dicom": ["medical"],
        "nifti": ["medical"],
        "group": ["video", "image", "video", "medical", "medical"],
    }[layout]
    assert kinds == expected
    assert all(s.number_of_frames == (1 if s.kind == "image" else 4) for s in row.list_spaces())
    if layout in ("dicom", "nifti"):
        assert row.list_spaces()[0].modality == layout


def test_what_labelspace_cannot_hold_is_listed_not_refused(tmp_path, structure, examples):
    (tmp_path / "row.json").write_text(json.dumps(examples["group"]))
    (tmp_path / "row.ontology.json").write_text(json.dumps(structure.to_dict()))
    with pytest.warns(DroppedLabelsWarning) as caught:
        project = formats.load(tmp_path / "row.json")
    said = " ".join(str(w.message) for w in caught)
    for dropped in (
        "ontology objects of shape 'audio'",
        "ontology objects of shape 'ellipse'",
        "audio spaces",
        "text spaces",
        "ellipse objects not in the ontology",
        "masks on stack slices of another size",
        "classifications on spaces labelspace does not hold",
    ):
        assert dropped in said
    assert [s.space_id for s in project.rows[0].list_spaces()] == ["cam", "still", "seq", "scan", "stack"]


def test_an_export_of_many_rows_reads_and_writes_as_a_list(tmp_path, structure, examples):
    rows = [examples["video"], examples["image"], examples["dicom"]]
    (tmp_path / "export.json").write_text(json.dumps(rows))
    with pytest.warns(DroppedLabelsWarning):
        project = formats.load(tmp_path / "export.json", ontology_file=_ontology_file(tmp_path, structure))
    assert [r.list_spaces()[0].kind for r in project.rows] == ["video", "image", "medical"]
    assert formats.save(project, tmp_path / "again.json", "encord") == {}
    written = json.loads((tmp_path / "again.json").read_text())
    assert [d["data_type"] for d in written] == ["video", "image", "dicom"]
    for d, layout in zip(written, ["video", "image", "dicom"], strict=True):
        theirs = sdk_row_from_dict(structure, examples[layout])
        assert [_without_template(f) for f in sdk_facts(sdk_row_from_dict(structure, d))] == kept(
            sdk_facts(theirs), layout
        )


def _ontology_file(folder, structure):
    path = folder / "encord.ontology.json"
    path.write_text(json.dumps(structure.to_dict()))
    return path


def test_a_layout_is_written_when_asked_and_refused_when_it_cannot_hold_the_row(world, tmp_path):
    row = world.row()
    video = row.add_video_space("cam", 10, 64, 48, fps=10)
    video.put_object_instance(world.box.create_instance(), Range(2, 5), BoundingBoxCoordinates(0.1, 0.1, 0.2, 0.2))
    assert to_encord(row)["data_type"] == "video"
    assert to_encord(row, "group")["data_type"] == "group"
    with pytest.raises(FormatError, match="an Encord 'image' label row cannot hold a row of spaces \\['video'\\]"):
        to_encord(row, "image")
    structure = OntologyStructure.from_dict(ontology_to_encord(world.ontology))
    for layout in ("video", "group"):
        d = json.loads(json.dumps(to_encord(row, layout)))
        theirs = sdk_row_from_dict(structure, d)
        assert sum(1 for f in sdk_facts(theirs) if f[0] == "object") == 4


def test_classifications_of_older_rows_come_from_frame_entries(world):
    row = world.row()
    video = row.add_video_space("cam", 5, 64, 48, fps=10)
    video.put_object_instance(world.box.create_instance("car00001"), 1, BoundingBoxCoordinates(0.1, 0.1, 0.2, 0.2))
    d = json.loads(json.dumps(to_encord(row)))
    unit = next(iter(d["data_units"].values()))
    unit["labels"]["1"]["classifications"] = [{"classificationHash": "old00001", "featureHash": "weat0001"}]
    d["classification_answers"] = {
        "old00001": {
            "classificationHash": "old00001",
            "featureHash": "weat0001",
            "classifications": [
                {"featureHash": "wtat0001", "answers": [{"featureHash": "rain0001", "name": "rain", "value": "rain"}]}
            ],
        }
    }
    again = read(d, world.ontology).get_space(id="cam")
    [rain] = again.get_classification_instances()
    assert again.get_classification_frames(rain) == [Range(1, 1)]
    assert rain.get_answer(world.weather_attr) is world.rain


# --- details, both ways ---------------------------------------------------------------------------


def test_the_sdk_reads_what_we_write(world):
    row = ours(world)
    encoded = to_encord(row)
    assert encoded["data_type"] == "group"
    structure = OntologyStructure.from_dict(ontology_to_encord(world.ontology))
    theirs = label_row_from_dict(structure, encoded)
    video = theirs.get_space(id="cam", type_="video")
    ours_video = row.get_space(id="cam")
    mine = sorted((a.frame, a.object_hash, type(a.coordinates).__name__) for a in ours_video.get_annotations())
    sdk = sorted((a.frame, a.object_hash, type(a.coordinates).__name__) for a in video.get_annotations("object"))
    assert mine == sdk
    [box] = [a for a in video.get_annotations("object") if a.object_hash == "car00001" and a.frame == 12]
    assert (box.coordinates.height, box.coordinates.width, box.coordinates.top_left_x) == (0.2, 0.2, 0.3)
    [car] = [o for o in video.get_object_instances() if o.object_hash == "car00001"]
    assert car.get_answer(structure.get_child_by_hash("make0001")) == "Volvo"
    occlusion = structure.get_child_by_hash("occl0001")
    answers = {
        a.answer.feature_node_hash: [(r.start, r.end) for r in a.ranges]
        for a in video.get_dynamic_answer(car, EncordRange(0, 29), occlusion)
    }
    assert answers == {"hid00001": [(0, 4)], "vis00001": [(5, 9), (12, 12)]}
    frames = sorted(a.frame for a in video.get_annotations("classification") if not hasattr(a, "ranges") and a.frame)
    assert frames == [4, 5, 6, 7, 8]
    photo = theirs.get_space(id="photo", type_="image")
    assert [a.object_hash for a in photo.get_annotations("object")] == ["car00002"]


def test_we_read_what_the_sdk_writes(world):
    structure, box, weather, occlusion, note, options = mirror_ontology(world)
    row, space = video_label_row(structure, 20)
    car = EncordObjectInstance(box, object_hash="car00009")
    space.put_object_instance(car, EncordRange(0, 5), EncordBox(0.1, 0.2, 0.3, 0.4), created_by="b@x.org")
    space.set_dynamic_answer(car, EncordRange(0, 2), options["hid00001"], occlusion)
    space.set_dynamic_answer(car, EncordRange(3, 5), "scratch", note)
    rain = weather.create_instance()
    rain.set_answer(weather.attributes[0].options[1])
    space.put_classification_instance(rain, EncordRange(2, 4))
    ontology = ontology_from_encord(structure.to_dict())
    assert ontology.get_child_by_hash("occl0001").dynamic
    again = read(row.to_encord_dict(), ontology)
    cam = again.get_space(id="cam", type_="video")
    [mine] = cam.get_object_instances()
    assert mine.object_hash == "car00009"
    assert cam.get_object_frames(mine) == [Range(0, 5)]
    [first] = cam.get_annotations_on_frame(0)
    assert first.coordinates == BoundingBoxCoordinates(0.1, 0.2, 0.3, 0.4) and first.created_by == "b@x.org"
    occl = ontology.get_child_by_hash("occl0001")
    assert [(a.answer.feature_node_hash, a.ranges) for a in cam.get_dynamic_answer(mine, Range(0, 19), occl)] == [
        ("hid00001", [Range(0, 2)])
    ]
    assert cam.get_dynamic_answer(mine, 4, ontology.get_child_by_hash("note0001"))[0].answer == "scratch"
    [weather_instance] = cam.get_classification_instances()
    assert cam.get_classification_frames(weather_instance) == [Range(2, 4)]
    assert weather_instance.get_answer().feature_node_hash == "rain0001"


def test_round_trip_through_files(world, tmp_path):
    row = ours(world)
    save_encord(row, tmp_path / "row.json")
    assert (tmp_path / "row.ontology.json").exists()
    again = load_encord(tmp_path / "row.json").rows[0]

    def facts(r):
        return sorted(
            (s.space_id, a.frame, a.object_hash, repr(a.coordinates), a.created_at, a.confidence)
            for s in r.list_spaces()
            for a in s.get_annotations()
        )

    assert facts(again) == facts(row)


def test_sub_second_times_are_listed_when_dropped(world, tmp_path):
    row = world.row()
    image = row.add_image_space("photo", 64, 48)
    image.put_object_instance(
        world.box.create_instance(), BoundingBoxCoordinates(0.1, 0.1, 0.2, 0.2), created_at=MADE.replace(microsecond=5)
    )
    with pytest.warns(DroppedLabelsWarning, match="1 sub-second parts of annotation times"):
        formats.save(row, tmp_path / "row.json", "encord")


def test_malformed_rows_name_the_record(world):
    encoded = to_encord(ours(world))
    encoded["spaces"]["cam"]["labels"]["3"]["objects"][0]["boundingBox"] = {"h": 0.1}
    with pytest.raises(FormatError, match=r"spaces\.cam\.labels\.3\.objects\[0\]\.boundingBox\.w: expected a number"):
        read(encoded, world.ontology)
    encoded = to_encord(ours(world))
    encoded["object_answers"]["car00001"]["classifications"][0]["answers"] = [{"featureHash": "nope"}]
    with pytest.raises(
        FormatError, match=r"object_answers\.car00001\.classifications\[0\]\.answers\[0\]\.featureHash: 'nope'"
    ):
        read(encoded, world.ontology)
    encoded = to_encord(ours(world))
    encoded["object_actions"]["car00001"]["actions"][0]["range"] = [[3, "x"]]
    with pytest.raises(FormatError, match=r"actions\[0\]\.range\[0\]\[1\]: expected a whole number"):
        read(encoded, world.ontology)


def test_bitmasks_go_both_ways_with_the_sdk(world):
    rng = np.random.default_rng(3)
    masks = [rng.random((48, 64)) < 0.3, rng.random((48, 64)) < 0.02]
    masks[1][:, :40] = True  # long runs, then short ones: large and negative deltas in the text
    row = world.row()
    video = row.add_video_space("cam", 4, 64, 48)
    sky = world.mask.create_instance("sky00001")
    for frame, mask in enumerate(masks):
        video.put_object_instance(sky, frame, BitmaskCoordinates(mask), created_at=MADE)
    for layout in ("video", "group"):
        encoded = json.loads(json.dumps(to_encord(row, layout)))
        theirs = sdk_row_from_dict(OntologyStructure.from_dict(ontology_to_encord(world.ontology)), encoded)
        holder = theirs.get_space(id="cam", type_="video") if layout == "group" else theirs
        if layout == "group":
            sdk = {a.frame: a.coordinates.to_numpy_array() for a in holder.get_annotations("object")}
        else:
            sdk = {
                a.frame: a.coordinates.to_numpy_array()
                for o in holder.get_object_instances()
                for a in o.get_annotations()
            }
        assert sorted(sdk) == [0, 1]
        for frame, mask in enumerate(masks):
            assert (sdk[frame] == mask).all()
        again = read(theirs.to_encord_dict(), world.ontology).list_spaces()[0]
        for frame, mask in enumerate(masks):
            [a] = again.get_annotations_on_frame(frame)
            assert a.coordinates == BitmaskCoordinates(mask)


def test_a_bitmask_patch_is_placed_and_bad_text_is_refused(world):
    row = world.row()
    row.add_image_space("photo", 8, 6)
    encoded = to_encord(row, "group")
    patch = {"top": 2, "left": 3, "height": 2, "width": 2, "rleString": "13"}  # 1 pixel off, 3 on
    entry = {"objectHash": "sky00002", "featureHash": "mask0001", "shape": "bitmask", "bitmask": patch}
    encoded["spaces"]["photo"]["labels"] = {"0": {"objects": [entry]}}
    [a] = read(encoded, world.ontology).get_space(id="photo").get_annotations()
    expected = np.zeros((6, 8), dtype=bool)
    expected[2, 4] = expected[3, 3] = expected[3, 4] = True
    assert (a.coordinates.to_array() == expected).all()
    patch["rleString"] = "19"  # 10 pixels in a 2 x 2 patch
    with pytest.raises(FormatError, match=r"photo\.labels\.0\.objects\[0\]\.bitmask\.rleString: .*more than 4 pixels"):
        read(encoded, world.ontology)
    patch["rleString"] = "1~"
    with pytest.raises(FormatError, match="character '~' at 1 is not run-length text"):
        read(encoded, world.ontology)
    patch["rleString"], patch["left"] = "13", 7
    with pytest.raises(FormatError, match="does not fit the 8 x 6 image"):
        read(encoded, world.ontology)
    patch["left"], patch["height"] = 3, 60000
    with pytest.raises(FormatError, match="does not fit the 8 x 6 image"):
        read(encoded, world.ontology)


def test_skeletons_go_both_ways_with_the_sdk(world):
    row = world.row()
    video = row.add_video_space("cam", 4, 64, 48)
    nodes = [
        SkeletonCoordinate(0.1, 0.2, "head", "visible"),
        SkeletonCoordinate(0.3, 0.4, "hand", "occluded"),
        SkeletonCoordinate(0.5, 0.6, "foot"),
    ]
    pose = world.skeleton.create_instance("pose0001")
    video.put_object_instance(pose, Range(1, 2), SkeletonCoordinates(nodes, "person"), created_at=MADE)
    encoded = to_encord(row, "group")
    theirs = label_row_from_dict(OntologyStructure.from_dict(ontology_to_encord(world.ontology)), encoded)
    sdk = list(theirs.get_space(id="cam", type_="video").get_annotations("object"))
    assert [a.frame for a in sdk] == [1, 2]
    assert [(n.name, n.x, n.y, n.visibility and n.visibility.value) for n in sdk[0].coordinates.values] == [
        ("head", 0.1, 0.2, "visible"),
        ("hand", 0.3, 0.4, "occluded"),
        ("foot", 0.5, 0.6, None),
    ]
    back = read(theirs.to_encord_dict(), world.ontology).get_space(id="cam")
    [a] = back.get_annotations_on_frame(2)
    assert a.coordinates.values == tuple(nodes)
    again = read(encoded, world.ontology).get_space(id="cam")
    assert again.get_annotations_on_frame(1)[0].coordinates == SkeletonCoordinates(nodes, "person")
    encoded["spaces"]["cam"]["labels"]["1"]["objects"][0]["skeleton"]["0"]["visibility"] = "selfOccluded"
    [first] = read(encoded, world.ontology).get_space(id="cam").get_annotations_on_frame(1)
    assert first.coordinates.values[0].visibility == "occluded"
    encoded["spaces"]["cam"]["labels"]["1"]["objects"][0]["skeleton"]["0"]["visibility"] = "blurry"
    with pytest.raises(FormatError, match=r"labels\.1\.objects\[0\]\.skeleton\[0\]\.visibility: 'blurry'"):
        read(encoded, world.ontology)


def test_medical_spaces_keep_their_modality(world):
    row = world.row()
    ct = row.add_medical_space("ct", 20, 64, 64, "nifti")
    mr = row.add_medical_space("mr", 10, 32, 32, "dicom")
    mr.media = "series/mr.dcm"
    ct.put_object_instance(
        world.box.create_instance("lesion01"), Range(2, 4), BoundingBoxCoordinates(0.1, 0.1, 0.2, 0.2)
    )
    encoded = to_encord(row)
    again = read(encoded, world.ontology)
    assert [(s.space_id, s.modality) for s in again.list_spaces()] == [("ct", "nifti"), ("mr", "dicom")]
    theirs = label_row_from_dict(OntologyStructure.from_dict(ontology_to_encord(world.ontology)), encoded)
    sdk = theirs.to_encord_dict()
    assert sorted(a.frame for a in theirs.get_space(id="ct", type_="medical").get_annotations("object")) == [2, 3, 4]
    sdk["spaces"]["ct"]["child_info"] = {"file_name": "scans/ct.nii.gz"}  # the SDK keeps no modality: the name tells
    back = read(sdk, world.ontology)
    assert back.get_space(id="ct").modality == "nifti"
    assert back.get_space(id="ct").get_object_frames(back.get_space(id="ct").get_object_instances()[0]) == [Range(2, 4)]
    single = world.row()
    single.add_medical_space("scan", 5, 32, 32, "nifti")
    assert to_encord(single)["data_type"] == "nifti"
    assert read(to_encord(single), world.ontology).list_spaces()[0].modality == "nifti"


def test_skeleton_templates_go_both_ways_with_the_sdk():
    from encord.objects.skeleton_template import SkeletonTemplate as EncordTemplate
    from encord.objects.skeleton_template import SkeletonTemplateCoordinate

    from labelspace import SkeletonTemplate

    # The SDK's own layout: nodes at image positions, the box their extent, the object's hash on it.
    theirs = OntologyStructure()
    template = EncordTemplate(
        name="Triangle",
        width=0.25,
        height=0.25,
        skeleton={
            "0": SkeletonTemplateCoordinate(x=0.5, y=0.5, name="left", feature_hash="nodeA001"),
            "1": SkeletonTemplateCoordinate(x=0.75, y=0.5, name="right", feature_hash="nodeB002"),
            "2": SkeletonTemplateCoordinate(x=0.625, y=0.25, name="top", feature_hash="nodeC003"),
        },
        skeleton_edges={"0": {"1": {"color": "#000000"}}, "1": {"2": {"color": "#000000"}}},
    )
    theirs.add_skeleton_object(name="Triangle", skeleton_template=template, feature_node_hash="TRIhash1")
    ontology = ontology_from_encord(json.loads(json.dumps(theirs.to_dict())))
    [triangle] = ontology.objects
    assert triangle.skeleton == SkeletonTemplate(
        [("left", 0.0, 1.0), ("right", 1.0, 1.0), ("top", 0.5, 0.0)], [("left", "right"), ("right", "top")]
    )
    assert triangle.skeleton.place(0.1, 0.1, 0.2, 0.2).values[2].x == pytest.approx(0.2)
    # What we write, the SDK reads: the template under the object's hash, nodes and edges kept.
    back = OntologyStructure.from_dict(ontology_to_encord(ontology))
    [sdk_template] = back.skeleton_templates.values()
    assert sdk_template.feature_node_hash == back.objects[0].feature_node_hash == "TRIhash1"
    assert [(n.name, n.x, n.y) for n in sdk_template.skeleton.values()] == [
        ("left", 0.0, 1.0),
        ("right", 1.0, 1.0),
        ("top", 0.5, 0.0),
    ]
    assert ontology_from_encord(ontology_to_encord(ontology)) == ontology
