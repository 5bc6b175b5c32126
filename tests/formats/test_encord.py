"""Encord label-row JSON, checked against the Encord SDK in both directions."""

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
    LabelRowError,
    PointCoordinate,
    PolygonCoordinates,
    PolylineCoordinates,
    Range,
    RotatableBoundingBoxCoordinates,
    SkeletonCoordinate,
    SkeletonCoordinates,
)
from labelspace.formats.encord import (
    label_row_from_encord,
    label_row_to_encord,
    load_encord,
    ontology_from_encord,
    ontology_to_encord,
    save_encord,
)
from tests.encord_peer import label_row_from_dict, mirror_ontology, video_label_row

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


def test_the_sdk_reads_what_we_write(world):
    row = ours(world)
    encoded = label_row_to_encord(row)
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
    make = structure.get_child_by_hash("make0001")
    assert car.get_answer(make) == "Volvo"
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
    again = label_row_from_encord(row.to_encord_dict(), ontology)
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
    save_encord(row, tmp_path / "row.json", tmp_path / "ontology.json")
    again = load_encord(tmp_path / "row.json", tmp_path / "ontology.json")
    before = sorted(
        (s.space_id, a.frame, a.object_hash, repr(a.coordinates), a.created_at, a.confidence)
        for s in row.list_spaces()
        for a in s.get_annotations()
    )
    after = sorted(
        (s.space_id, a.frame, a.object_hash, repr(a.coordinates), a.created_at, a.confidence)
        for s in again.list_spaces()
        for a in s.get_annotations()
    )
    assert before == after


def test_malformed_rows_name_the_record(world):
    encoded = label_row_to_encord(ours(world))
    encoded["spaces"]["cam"]["labels"]["3"]["objects"][0]["boundingBox"] = {"h": 0.1}
    with pytest.raises(LabelRowError, match=r"spaces\.cam\.labels\.3\.objects\[0\]: malformed object"):
        label_row_from_encord(encoded, world.ontology)
    encoded = label_row_to_encord(ours(world))
    encoded["object_answers"]["car00001"]["classifications"][0]["answers"] = [{"featureHash": "nope"}]
    with pytest.raises(LabelRowError, match=r"object_answers\.car00001\.classifications\[0\]: malformed answer"):
        label_row_from_encord(encoded, world.ontology)


def test_bitmasks_go_both_ways_with_the_sdk(world):
    rng = np.random.default_rng(3)
    masks = [rng.random((48, 64)) < 0.3, rng.random((48, 64)) < 0.02]
    masks[1][:, :40] = True  # long runs, then short ones: large and negative deltas in the text
    row = world.row()
    video = row.add_video_space("cam", 4, 64, 48)
    sky = world.mask.create_instance("sky00001")
    for frame, mask in enumerate(masks):
        video.put_object_instance(sky, frame, BitmaskCoordinates(mask), created_at=MADE)
    encoded = label_row_to_encord(row)
    theirs = label_row_from_dict(OntologyStructure.from_dict(ontology_to_encord(world.ontology)), encoded)
    sdk = {
        a.frame: a.coordinates.to_numpy_array()
        for a in theirs.get_space(id="cam", type_="video").get_annotations("object")
    }
    assert sorted(sdk) == [0, 1]
    for frame, mask in enumerate(masks):
        assert (sdk[frame] == mask).all()
    again = label_row_from_encord(theirs.to_encord_dict(), world.ontology).get_space(id="cam")
    for frame, mask in enumerate(masks):
        [a] = again.get_annotations_on_frame(frame)
        assert a.coordinates == BitmaskCoordinates(mask)


def test_a_bitmask_patch_is_placed_and_bad_text_is_refused(world):
    row = world.row()
    row.add_image_space("photo", 8, 6)
    encoded = label_row_to_encord(row)
    patch = {"top": 2, "left": 3, "height": 2, "width": 2, "rleString": "13"}  # 1 pixel off, 3 on
    entry = {"objectHash": "sky00002", "featureHash": "mask0001", "shape": "bitmask", "bitmask": patch}
    encoded["spaces"]["photo"]["labels"] = {"0": {"objects": [entry]}}
    [a] = label_row_from_encord(encoded, world.ontology).get_space(id="photo").get_annotations()
    expected = np.zeros((6, 8), dtype=bool)
    expected[2, 4] = expected[3, 3] = expected[3, 4] = True
    assert (a.coordinates.to_array() == expected).all()
    patch["rleString"] = "19"  # 10 pixels in a 2 x 2 patch
    with pytest.raises(LabelRowError, match=r"photo\.labels\.0\.objects\[0\]: .*run lengths add up to 10"):
        label_row_from_encord(encoded, world.ontology)
    patch["rleString"] = "1~"
    with pytest.raises(LabelRowError, match="character '~' at 1 of the bitmask's rleString"):
        label_row_from_encord(encoded, world.ontology)
    patch["rleString"], patch["left"] = "13", 7
    with pytest.raises(LabelRowError, match="does not fit the space's 6 x 8 image"):
        label_row_from_encord(encoded, world.ontology)


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
    encoded = label_row_to_encord(row)
    theirs = label_row_from_dict(OntologyStructure.from_dict(ontology_to_encord(world.ontology)), encoded)
    sdk = list(theirs.get_space(id="cam", type_="video").get_annotations("object"))
    assert [a.frame for a in sdk] == [1, 2]
    assert [(n.name, n.x, n.y, n.visibility and n.visibility.value) for n in sdk[0].coordinates.values] == [
        ("head", 0.1, 0.2, "visible"),
        ("hand", 0.3, 0.4, "occluded"),
        ("foot", 0.5, 0.6, None),
    ]
    back = label_row_from_encord(theirs.to_encord_dict(), world.ontology).get_space(id="cam")
    [a] = back.get_annotations_on_frame(2)
    assert a.coordinates.values == tuple(nodes)
    again = label_row_from_encord(encoded, world.ontology).get_space(id="cam")
    assert again.get_annotations_on_frame(1)[0].coordinates == SkeletonCoordinates(nodes, "person")
    encoded["spaces"]["cam"]["labels"]["1"]["objects"][0]["skeleton"]["0"]["visibility"] = "selfOccluded"
    [first] = label_row_from_encord(encoded, world.ontology).get_space(id="cam").get_annotations_on_frame(1)
    assert first.coordinates.values[0].visibility == "occluded"
    encoded["spaces"]["cam"]["labels"]["1"]["objects"][0]["skeleton"]["0"]["visibility"] = "blurry"
    with pytest.raises(LabelRowError, match=r"labels\.1\.objects\[0\]: skeleton node visibility 'blurry'"):
        label_row_from_encord(encoded, world.ontology)


def test_medical_spaces_keep_their_modality(world):
    row = world.row()
    ct = row.add_medical_space("ct", 20, 64, 64, "nifti")
    mr = row.add_medical_space("mr", 10, 32, 32, "dicom")
    mr.media = "series/mr.dcm"
    ct.put_object_instance(
        world.box.create_instance("lesion01"), Range(2, 4), BoundingBoxCoordinates(0.1, 0.1, 0.2, 0.2)
    )
    encoded = label_row_to_encord(row)
    again = label_row_from_encord(encoded, world.ontology)
    assert [(s.space_id, s.modality) for s in again.list_spaces()] == [("ct", "nifti"), ("mr", "dicom")]
    theirs = label_row_from_dict(OntologyStructure.from_dict(ontology_to_encord(world.ontology)), encoded)
    sdk = theirs.to_encord_dict()
    assert sorted(a.frame for a in theirs.get_space(id="ct", type_="medical").get_annotations("object")) == [
        2,
        3,
        4,
    ]
    sdk["spaces"]["ct"]["child_info"] = {"file_name": "scans/ct.nii.gz"}  # the SDK keeps no modality: the name tells
    back = label_row_from_encord(sdk, world.ontology)
    assert back.get_space(id="ct").modality == "nifti"
    assert back.get_space(id="ct").get_object_frames(back.get_space(id="ct").get_object_instances()[0]) == [Range(2, 4)]
