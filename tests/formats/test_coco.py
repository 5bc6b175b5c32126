import json
import tracemalloc

import numpy as np
import pytest

from labelspace import (
    BitmaskCoordinates,
    BoundingBoxCoordinates,
    FormatError,
    PointCoordinate,
    PolygonCoordinates,
    PolylineCoordinates,
    Project,
    Range,
    RotatableBoundingBoxCoordinates,
    SkeletonCoordinate,
    SkeletonCoordinates,
)
from labelspace.formats.coco import load_coco, save_coco

pycocotools = pytest.importorskip("pycocotools")
from pycocotools.coco import COCO  # noqa: E402
from pycocotools.cocoeval import COCOeval  # noqa: E402

P = PointCoordinate
BOX = BoundingBoxCoordinates(height=0.25, width=0.5, top_left_x=0.125, top_left_y=0.25)


def full_project(world):
    """Every shape, answers, dynamic answers, classifications and metadata, on images and a video."""
    project = Project(world.ontology)
    row = world.row()
    image = row.add_image_space("photo", 64, 48)
    video = row.add_video_space("clip", 20, 64, 48, fps=10)
    car = world.box.create_instance()
    car.set_answer(world.red)
    car.set_answer("Volvo", world.make)
    image.put_object_instance(car, BOX, created_by="a@x.org", confidence=0.75)
    video.put_object_instance(car, Range(0, 9), BOX, manual_annotation=False)
    video.set_dynamic_answer(car, Range(0, 4), world.hidden)
    video.set_dynamic_answer(car, Range(2, 3), "dent", world.note)
    shapes = [
        (world.rotated, RotatableBoundingBoxCoordinates(0.2, 0.2, 0.3, 0.3, 30.0)),
        (world.polygon, PolygonCoordinates(values=[P(0.1, 0.1), P(0.6, 0.1), P(0.4, 0.5)])),
        (
            world.polygon,
            PolygonCoordinates(
                polygons=[[[P(0, 0), P(1, 0), P(1, 1), P(0, 1)], [P(0.4, 0.4), P(0.6, 0.4), P(0.5, 0.6)]]]
            ),
        ),
        (world.polyline, PolylineCoordinates([P(0, 0), P(0.5, 0.5)])),
        (world.point, P(0.25, 0.75)),
        (world.mask, BitmaskCoordinates(np.eye(48, 64, dtype=bool))),
        (
            world.skeleton,
            SkeletonCoordinates(
                [SkeletonCoordinate(0.1, 0.2, "head", "visible"), SkeletonCoordinate(0.1, 0.4, "neck", "occluded")]
            ),
        ),
    ]
    for obj, coordinates in shapes:
        video.put_object_instance(obj.create_instance(), [3, 7], coordinates)
    weather = world.weather.create_instance()
    weather.set_answer(world.rain)
    video.put_classification_instance(weather, Range(5, 12), confidence=0.5)
    image.put_classification_instance(world.weather.create_instance())
    scene = world.scene.create_instance()
    scene.set_answer("motorway")
    video.put_classification_instance(scene)
    project.add_row(row, media={"photo": "photos/1.jpg", "clip": "clips/1.mp4"})
    second = world.row()
    second.add_image_space("empty", 32, 32)
    project.add_row(second)
    return project


def canonical(project):
    """Everything readable about a project's labels, independent of insertion order."""
    from labelspace import MultiFrameSpace

    def meta(a):
        return (a.created_at, a.created_by, a.last_edited_at, a.last_edited_by, a.confidence, a.manual_annotation)

    def answers(instance):
        return tuple(sorted((a.feature_node_hash, repr(v)) for a, v in instance._answer_items()))

    rows = []
    for row in project.rows:
        spaces = []
        for space in row.list_spaces():
            objects = sorted(
                (a.frame, a.object_hash, repr(a.coordinates), meta(a), answers(a.object_instance))
                for a in space.get_annotations("object")
            )
            classes = sorted(
                (a.frame, a.classification_hash, a.is_global, meta(a), answers(a.classification_instance))
                for a in space.get_annotations("classification")
            )
            dynamic = []
            if isinstance(space, MultiFrameSpace):
                for o in space.get_object_instances():
                    for attribute in o.ontology_item.attributes:
                        if attribute.dynamic:
                            for x in space.get_dynamic_answer(o, Range(0, space.number_of_frames - 1), attribute):
                                dynamic.append(
                                    (o.object_hash, attribute.feature_node_hash, repr(x.answer), repr(x.ranges))
                                )
            spaces.append(
                (
                    space.space_id,
                    space.kind,
                    space.width,
                    space.height,
                    space.number_of_frames,
                    getattr(space, "fps", None),
                    space.media,
                    objects,
                    classes,
                    sorted(dynamic),
                )
            )
        rows.append(spaces)
    return project.ontology.to_dict(), rows


def test_round_trip_gives_back_every_label(world, tmp_path):
    project = full_project(world)
    save_coco(project, tmp_path / "coco.json")
    again = load_coco(tmp_path / "coco.json")
    assert canonical(again) == canonical(project)
    assert load_coco(tmp_path / "coco.json", world.ontology).ontology is world.ontology


def test_output_is_standard_coco(world, tmp_path):
    save_coco(full_project(world), tmp_path / "coco.json")
    d = json.loads((tmp_path / "coco.json").read_text())
    assert len(d["images"]) == 1 + 20 + 1  # every video frame is an image entry
    frame7 = next(i for i in d["images"] if i.get("frame_index") == 7)
    assert frame7["file_name"] == "clips/1.mp4" and frame7["video"] == "clips/1.mp4"
    on7 = [a for a in d["annotations"] if a["image_id"] == frame7["id"]]
    assert len(on7) == 8
    car = next(a for a in d["annotations"] if a["attributes"].get("make") == "Volvo")
    assert car["bbox"] == [8.0, 12.0, 32.0, 12.0] and car["attributes"]["colour"] == "red"
    holed = [a for a in on7 if isinstance(a["segmentation"], dict)]
    assert len(holed) == 2  # the mask and the polygon with a hole, as RLE
    skeleton = next(c for c in d["categories"] if c["name"] == "pose")
    assert skeleton["keypoints"] == ["head", "neck"]
    coco = COCO(str(tmp_path / "coco.json"))
    assert len(coco.getAnnIds()) == len(d["annotations"])
    for ann in coco.loadAnns(coco.getAnnIds()):
        if ann["segmentation"]:
            assert coco.annToMask(ann).shape == (48, 64)


@pytest.mark.parametrize("iou", ["bbox", "segm"])
def test_cocoeval_runs_on_the_output(world, tmp_path, iou):
    project = Project(world.ontology)
    rng = np.random.default_rng(0)
    for i in range(5):
        row = world.row()
        space = row.add_image_space(f"img{i}", 100, 80)
        for _ in range(3):
            x, y = rng.random(2) * 0.5
            space.put_object_instance(world.box.create_instance(), BoundingBoxCoordinates(0.3, 0.3, x, y))
            space.put_object_instance(
                world.polygon.create_instance(), PolygonCoordinates(values=[P(x, y), P(x + 0.3, y), P(x, y + 0.3)])
            )
        project.add_row(row)
    save_coco(project, tmp_path / "gt.json")
    gt = COCO(str(tmp_path / "gt.json"))
    anns = gt.loadAnns(gt.getAnnIds())
    if iou == "segm":
        anns = [a for a in anns if a["segmentation"]]
    detections = gt.loadRes([{**a, "score": 0.9} for a in anns])
    evaluation = COCOeval(gt, detections, iou)
    if iou == "segm":
        evaluation.params.catIds = [c["id"] for c in gt.loadCats(gt.getCatIds()) if c["name"] == "road"]
    else:
        evaluation.params.catIds = [c["id"] for c in gt.loadCats(gt.getCatIds()) if c["name"] == "car"]
    evaluation.evaluate()
    evaluation.accumulate()
    evaluation.summarize()
    assert evaluation.stats[0] == pytest.approx(1.0)  # predictions equal to the ground truth


def test_plain_coco_from_elsewhere(tmp_path):
    import pycocotools.mask as mask_api

    mask = np.zeros((40, 50), np.uint8)
    mask[10:20, 5:15] = 1
    rle = mask_api.encode(np.asfortranarray(mask))
    d = {
        "images": [
            {"id": 7, "file_name": "a.jpg", "width": 50, "height": 40},
            {"id": 8, "file_name": "b.jpg", "width": 50, "height": 40},
        ],
        "categories": [
            {"id": 1, "name": "cat"},
            {"id": 2, "name": "pool"},
            {"id": 3, "name": "blob"},
            {"id": 4, "name": "person", "keypoints": ["nose", "eye"]},
        ],
        "annotations": [
            {"id": 1, "image_id": 7, "category_id": 1, "bbox": [5, 4, 20, 10], "area": 200, "iscrowd": 0},
            {"id": 2, "image_id": 7, "category_id": 1, "bbox": [45, 35, 10, 10], "area": 100, "iscrowd": 0},
            {"id": 3, "image_id": 8, "category_id": 2, "segmentation": [[0, 0, 25, 0, 25, 20]], "bbox": [0, 0, 25, 20]},
            {
                "id": 4,
                "image_id": 8,
                "category_id": 3,
                "segmentation": {"size": [40, 50], "counts": rle["counts"].decode()},
            },
            {
                "id": 5,
                "image_id": 8,
                "category_id": 4,
                "keypoints": [10, 8, 2, 0, 0, 0],
                "num_keypoints": 1,
                "bbox": [10, 8, 0, 0],
            },
        ],
    }
    (tmp_path / "plain.json").write_text(json.dumps(d))
    project = load_coco(tmp_path / "plain.json")
    assert [(o.name, o.shape.value) for o in project.ontology.objects] == [
        ("cat", "bounding_box"),
        ("pool", "polygon"),
        ("blob", "bitmask"),
        ("person", "skeleton"),
    ]
    a, b = project.rows
    boxes = [x.coordinates for x in a.list_spaces()[0].get_annotations()]
    assert boxes[0] == BoundingBoxCoordinates(height=0.25, width=0.4, top_left_x=0.1, top_left_y=0.1)
    assert boxes[1].top_left_x + boxes[1].width == pytest.approx(1.0)  # clipped to the image
    by_name = {x.object_instance.ontology_item.name: x.coordinates for x in b.list_spaces()[0].get_annotations()}
    assert by_name["pool"].values[1] == P(0.5, 0.0)
    assert (by_name["blob"].to_array() == mask.astype(bool)).all()
    assert [(n.name, n.visibility) for n in by_name["person"].values] == [("nose", "visible")]
    assert a.list_spaces()[0].media == "a.jpg"


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        (lambda d: d["annotations"][0].update(bbox="wide"), r"annotations\[0\]\.bbox: expected a list"),
        (lambda d: d["annotations"][1].update(image_id=99), r"annotations\[1\]\.image_id: no image has id 99"),
        (lambda d: d["annotations"][1].update(category_id=9), r"annotations\[1\]\.category_id: no category has id 9"),
        (lambda d: d["images"][0].pop("width"), r"images\[0\]\.width: expected a whole number"),
        (lambda d: d["images"][1].update(id=7), r"images\[1\]\.id: image id 7 is used twice"),
        (lambda d: d.update(annotations={}), "annotations: expected a list"),
    ],
)
def test_malformed_files_name_the_record_and_field(tmp_path, corrupt, message):
    d = {
        "images": [
            {"id": 7, "file_name": "a.jpg", "width": 50, "height": 40},
            {"id": 8, "file_name": "b.jpg", "width": 50, "height": 40},
        ],
        "categories": [{"id": 1, "name": "cat"}],
        "annotations": [
            {"id": 1, "image_id": 7, "category_id": 1, "bbox": [5, 4, 20, 10]},
            {"id": 2, "image_id": 8, "category_id": 1, "bbox": [5, 4, 20, 10]},
        ],
    }
    corrupt(d)
    (tmp_path / "bad.json").write_text(json.dumps(d))
    with pytest.raises(FormatError, match=r"bad\.json: " + message):
        load_coco(tmp_path / "bad.json")


def test_export_streams(world, tmp_path):
    row = world.row()
    video = row.add_video_space("long", 20_000, 640, 480)
    frames = np.arange(20_000)
    for _ in range(2):
        rows = np.column_stack(
            [np.linspace(0, 0.5, 20_000), np.full(20_000, 0.1), np.full(20_000, 0.2), np.full(20_000, 0.2)]
        )
        video.put_object_track(world.box.create_instance(), frames, rows)
    tracemalloc.start()
    save_coco(row, tmp_path / "long.json", progress=False)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = (tmp_path / "long.json").stat().st_size
    assert size > 20_000_000
    # A record at a time, never the whole text: what is held is one object's runs as numpy columns
    # (20,000 runs here, about 1 MB), the rest is written as it is made.
    assert peak < size / 10
