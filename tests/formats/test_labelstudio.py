import copy
import json
import math
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from labelspace import (
    BitmaskCoordinates,
    BoundingBoxCoordinates,
    FormatError,
    Ontology,
    PointCoordinate,
    PolygonCoordinates,
    Project,
    Range,
    RotatableBoundingBoxCoordinates,
    Shape,
)
from labelspace.formats import DroppedLabelsWarning, Limits, guess_format, load, save
from labelspace.formats.labelstudio import (
    decode_brush,
    encode_brush,
    from_labelstudio,
    labelstudio_config,
    to_labelstudio,
)
from tests.formats.samples import WHEN, image_project, video_project

DATA = Path(__file__).parent / "data" / "labelstudio"
IMAGES = DATA / "labelstudio_images.json"
VIDEO = DATA / "labelstudio_video.json"


def utc(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def corners(box, width, height):
    """Pixel corners (top-left, top-right, bottom-right, bottom-left) of a box turned about its centre."""
    x, y, w, h, theta = box.to_pixels(width, height)
    cx, cy, t = x + w / 2, y + h / 2, math.radians(theta)
    local = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    return [(cx + a * math.cos(t) - b * math.sin(t), cy + a * math.sin(t) + b * math.cos(t)) for a, b in local]


def assert_points(got, expected, tol=1e-9):
    assert len(got) == len(expected)
    for (gx, gy), (ex, ey) in zip(got, expected, strict=True):
        assert gx == pytest.approx(ex, abs=tol) and gy == pytest.approx(ey, abs=tol)


def labels(space):
    """Object annotations of a space by object hash."""
    return {a.object_hash: a for a in space.get_annotations()}


def answers(instance):
    return {a.name: getattr(v, "label", v) for a, v in instance.get_static_answers()}


@pytest.fixture
def images_project():
    with pytest.warns(DroppedLabelsWarning, match=r"dropped 1 ground-truth flags, 1 relations\.$"):
        return load(IMAGES)


# --- the research fixtures ------------------------------------------------------------------------


def test_image_tasks_import_with_the_documented_facts(images_project):
    project = images_project
    assert guess_format(IMAGES) == "labelstudio"
    spaces = {s.space_id: s for row in project.rows for s in row.list_spaces()}
    assert len(project.rows) == 3 and sorted(spaces) == ["101", "102", "103"]
    street, aerial, sky = spaces["101"], spaces["102"], spaces["103"]
    assert (street.width, street.height, street.media) == (1280, 720, "street_001.jpg")  # the upload's original name
    assert (aerial.width, aerial.height, aerial.media) == (800, 600, "datasets/aerial/tile_0042.png")
    assert (sky.width, sky.height, sky.media) == (320, 240, "s3://acme-labelling/frames/cam2/000117.jpg")

    got = labels(street)
    car, sign = got["c4rA1x9QkE"], got["s1gnR0t30a"]
    assert car.object_instance.ontology_item.shape is Shape.BOUNDING_BOX
    assert car.coordinates.to_pixels(1280, 720) == pytest.approx((128, 144, 256, 180), abs=1e-9)
    assert answers(car.object_instance) == {"occluded": "No", "plate": "AB-123", "passengers": 2}
    meta = car.metadata
    assert (meta.created_by, meta.manual_annotation, meta.confidence) == ("7", True, 1.0)
    assert meta.created_at == utc("2024-05-14T09:21:07.412853Z")
    assert meta.last_edited_at == utc("2024-05-14T09:23:41.118306Z")
    # Label Studio turns the sign about its top-left corner (640, 360): the corners are the documented ones
    assert isinstance(sign.coordinates, RotatableBoundingBoxCoordinates)
    assert sign.coordinates.theta == pytest.approx(30)
    sign_corners = corners(sign.coordinates, 1280, 720)
    assert_points(
        sign_corners,
        [(640, 360), (813.2050807568878, 460), (763.2050807568878, 546.6025403784439), (590, 446.6025403784439)],
    )
    xs, ys = [p[0] for p in sign_corners], [p[1] for p in sign_corners]
    assert (min(xs), max(xs), min(ys), max(ys)) == pytest.approx((590, 813.2050807568878, 360, 546.6025403784439))
    assert answers(sign.object_instance) == {"occluded": "Yes"}
    # the prediction: its own instances (the ids repeat the annotation's), as a model's labels
    predicted = [a for a in street.get_annotations() if not a.metadata.manual_annotation]
    assert len(got) == 4 and len(predicted) == 2
    by_name = {a.object_instance.ontology_item.name: a for a in predicted}
    assert by_name["Car"].coordinates.to_pixels(1280, 720) == pytest.approx((120, 140, 260, 185), abs=1e-9)
    assert by_name["Person"].coordinates.to_pixels(1280, 720) == pytest.approx((900, 300, 64, 160), abs=1e-9)
    assert (by_name["Car"].metadata.confidence, by_name["Person"].metadata.confidence) == (0.91, 0.42)
    assert by_name["Car"].metadata.created_by == "yolov8m-2024-05-01"
    assert by_name["Car"].metadata.created_at == utc("2024-04-30T16:02:11.507204Z")
    classes = {
        c.classification_instance.ontology_item.title: c.classification_instance.get_static_answers()[0][1]
        for c in street.get_annotations("classification")
    }
    assert classes["scene"].label == "Urban" and classes["quality"] == 4

    got = labels(aerial)
    road, building = got["r0adPoly01"].coordinates, got["bldgPoly02"].coordinates
    assert_points(road.to_pixels(800, 600)[0][0], [(0, 420), (800, 380), (800, 470), (0, 520)])
    ring = building.to_pixels(800, 600)[0][0]
    assert_points(ring, [(100, 100), (260, 100), (260, 220), (180, 260), (100, 220)])
    area = 0.5 * abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True)))
    assert area == pytest.approx(22400)
    assert answers(got["bldgPoly02"].object_instance) == {"occluded": "No"}
    assert got["kpHead0001"].coordinates.to_pixels(800, 600) == pytest.approx((400, 150))
    assert got["kpHand0002"].coordinates.to_pixels(800, 600) == pytest.approx((430.5, 210.25))
    assert {a.metadata.created_by for a in got.values()} == {"maria@example.org"}  # completed_by as an object

    [mask] = sky.get_annotations()  # the cancelled annotation 504 is skipped
    array = mask.coordinates.to_array()
    assert mask.coordinates.area() == 19360  # alpha > 0, as the editor paints it
    rows, cols = np.flatnonzero(array.any(axis=1)), np.flatnonzero(array.any(axis=0))
    assert (cols[0], cols[-1], rows[0], rows[-1]) == (0, 319, 0, 70)
    assert array[70, 100] and not array[70, 160] and not array[60, 160] and array[49, 300]
    assert mask.metadata.created_by == "7"

    objects = [(o.name, o.shape.value) for o in project.ontology.objects]
    assert objects == [
        ("Car", "bounding_box"),
        ("Sign", "rotatable_bounding_box"),
        ("Person", "bounding_box"),
        ("Road", "polygon"),
        ("Building", "polygon"),
        ("Head", "point"),
        ("Hand", "point"),
        ("Sky", "bitmask"),
    ]
    car_attributes = {a.name: (a.kind, [o.label for o in a.options]) for a in project.ontology.objects[0].attributes}
    assert car_attributes == {
        "occluded": ("radio", ["No", "Yes"]),
        "plate": ("text", []),
        "passengers": ("numeric", []),
    }
    assert [(c.title, c.attributes[0].kind) for c in project.ontology.classifications] == [
        ("scene", "radio"),
        ("quality", "numeric"),
    ]


def test_the_brush_codec():
    mask = np.array([[0, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 0]], dtype=bool)
    rle = [0, 0, 0, 48, 57, 27, 252, 96, 19, 255, 206, 1, 63, 254, 19, 0]  # what the editor writes
    assert encode_brush(mask) == rle
    assert (decode_brush(rle, 4, 3) == np.where(mask, 255, 0)).all()
    # A literal block (other producers write them): a 1 x 2 image of RGBA words 1, 2, 3, 4 and four 9s.
    bits = "".join(format(v, f"0{n}b") for v, n in ((8, 32), (7, 5), (2, 4), (3, 4), (7, 4), (15, 4)))
    bits += "0" + "00" + "011" + "".join(format(v, "08b") for v in (1, 2, 3, 4))
    bits += "1" + "00" + "011" + format(9, "08b")
    bits += "0" * (-len(bits) % 8)
    literal = [int(bits[i : i + 8], 2) for i in range(0, len(bits), 8)]
    assert decode_brush(literal, 2, 1).tolist() == [[4, 9]]
    rng = np.random.default_rng(7)
    for _ in range(30):
        h, w = rng.integers(1, 40, 2)
        random = rng.random((h, w)) > 0.5
        assert (decode_brush(encode_brush(random), w, h) > 0).tolist() == random.tolist()
    big = np.zeros((300, 300), dtype=bool)  # a run of more than 65536 bytes is split
    big[150:, :] = True
    assert ((decode_brush(encode_brush(big), 300, 300) > 0) == big).all()
    sky = json.loads(IMAGES.read_text())[2]["annotations"][0]["result"][0]["value"]["rle"]
    alpha = decode_brush(sky, 320, 240)
    assert (int((alpha > 0).sum()), int((alpha >= 128).sum()), int(alpha[70, 0])) == (19360, 19200, 96)


@pytest.fixture
def dashcam(tmp_path):
    """The fixture video's media folder: a 250-frame 64 x 48 video at 25 fps named as the upload."""
    av = pytest.importorskip("av")
    folder = tmp_path / "media"
    folder.mkdir()
    with av.open(str(folder / "dashcam_clip.mp4"), "w") as container:
        stream = container.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for _ in range(250):
            frame = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return folder


def test_video_task_imports_as_the_editor_shows_it(dashcam):
    project = load(VIDEO, media=dashcam)
    [row] = project.rows
    [video] = row.list_spaces()
    assert (video.space_id, video.number_of_frames, video.width, video.height) == ("201", 250, 64, 48)
    assert (video.fps, video.media) == (25.0, "dashcam_clip.mp4")
    car, pedestrian = video.get_object_instances()
    assert video.get_object_frames(car) == [Range(0, 50), Range(100, 249)]  # hidden after the disabled keyframe 51
    assert video.get_object_frames(pedestrian) == [Range(9, 29)]

    def at(instance, frame):
        [found] = [a.coordinates for a in video.get_annotations_on_frame(frame) if a.object_instance is instance]
        return found

    def box(x, y, w, h):
        return pytest.approx((x / 100, y / 100, w / 100, h / 100), abs=1e-12)

    for frame, expected in [
        (12, box(19.6, 40.96, 20, 15)),
        (37, box(39.6, 42.96, 20.96, 15.48)),
        (50, box(50, 44, 22, 16)),
        (119, box(63.87755102040816, 45, 22.775510204081634, 16.775510204081634)),
        (199, box(70, 45, 24, 18)),
        (249, box(70, 45, 24, 18)),
    ]:
        c = at(car, frame)
        assert (c.top_left_x, c.top_left_y, c.width, c.height) == expected
    mid = at(pedestrian, 14)  # 350 -> 10 degrees goes the short way: 0 half-way
    assert mid.theta % 360 == pytest.approx(0, abs=1e-9)
    assert (mid.top_left_x, mid.top_left_y, mid.width, mid.height) == box(61, 30.5, 5, 12)
    early = at(pedestrian, 12)  # LS frame 13: -4 degrees, turned about the top-left corner at (60.6%, 30.3%)
    assert early.theta == pytest.approx(356)
    assert corners(early, 64, 48)[0] == pytest.approx((0.606 * 64, 0.303 * 48), abs=1e-9)
    [weather] = video.get_annotations("classification")
    assert weather.is_global and weather.classification_instance.get_static_answers()[0][1].label == "Rain"


def test_a_video_is_needed_for_its_size(tmp_path):
    with pytest.raises(FormatError, match=r"labelstudio_video\.json: tasks\[0\] \(id 201\): .*--media"):
        load(VIDEO)


# --- round trips ----------------------------------------------------------------------------------


def close(a, b):
    """Coordinates equal up to the floating-point error of a conversion to percent and back."""
    assert type(a) is type(b)
    if isinstance(a, BitmaskCoordinates):
        assert a == b
    elif isinstance(a, PolygonCoordinates):
        assert [v for p in a.values for v in (p.x, p.y)] == pytest.approx(
            [v for p in b.values for v in (p.x, p.y)], abs=1e-12
        )
    elif isinstance(a, PointCoordinate):
        assert (a.x, a.y) == pytest.approx((b.x, b.y), abs=1e-12)
    else:
        fields = ["top_left_x", "top_left_y", "width", "height"]
        fields += ["theta"] if isinstance(a, RotatableBoundingBoxCoordinates) else []
        assert [getattr(a, f) for f in fields] == pytest.approx([getattr(b, f) for f in fields], abs=1e-9)


def test_images_round_trip_what_label_studio_holds(world, tmp_path):
    project = image_project(world)
    path = tmp_path / "tasks.json"
    with pytest.warns(DroppedLabelsWarning, match="Label Studio cannot hold everything") as caught:
        dropped = save(project, path, "labelstudio")
    # labels put in different milliseconds have different edit times; an annotation keeps one
    dropped.pop("annotation times (Label Studio keeps one pair per annotation)", None)
    assert dropped == {
        "polyline annotations": 1,
        "skeleton annotations": 1,
        "polygon holes": 1,
        "nested attribute answers": 1,
    }
    assert "1 skeleton annotations" in str(caught[0].message)
    assert guess_format(path) == "labelstudio"
    again = load(path, ontology=world.ontology)
    assert [[s.space_id for s in row.list_spaces()] for row in again.rows] == [["street", "yard"], ["empty"]]
    for before_row, after_row in zip(project.rows, again.rows, strict=True):
        for before, after in zip(before_row.list_spaces(), after_row.list_spaces(), strict=True):
            assert (after.width, after.height, after.media) == (before.width, before.height, before.media)
            held = [a for a in before.get_annotations() if a.object_instance.ontology_item.shape.value != "polyline"]
            held = [a for a in held if a.object_instance.ontology_item.shape.value != "skeleton"]
            got = labels(after)
            assert sorted(got) == sorted(a.object_hash for a in held)
            for a in held:
                b = got[a.object_hash]
                assert b.object_instance.ontology_item is a.object_instance.ontology_item
                expected = a.coordinates
                if isinstance(expected, PolygonCoordinates):  # the hole is dropped
                    expected = PolygonCoordinates(values=expected.values)
                close(b.coordinates, expected)
                m, n = a.metadata, b.metadata
                assert (n.created_at, n.created_by, n.confidence, n.manual_annotation) == (
                    m.created_at,
                    m.created_by,
                    m.confidence,
                    m.manual_annotation,
                )
    street = labels(again.rows[0].get_space(id="street"))
    [car] = [a for a in street.values() if a.object_instance.ontology_item is world.box]
    assert car.object_instance.get_answer(world.colour) is world.red
    assert car.object_instance.get_answer(world.make) == "Volvo"
    assert car.object_instance.get_answer(world.shade) is None  # nested under an option: dropped
    assert car.metadata.created_at == WHEN
    [weather] = again.rows[0].get_space(id="street").get_annotations("classification")
    assert weather.classification_instance.get_answer() is world.rain
    assert weather.metadata.created_by == "rev@example.org"
    built = load(path)  # without an ontology, one is built from the file
    assert {(o.name, o.shape) for o in built.ontology.objects} >= {("car", Shape.BOUNDING_BOX), ("sky", Shape.BITMASK)}


def test_the_export_is_shaped_as_label_studio_writes_it(world):
    tasks = to_labelstudio(image_project(world))
    assert sorted(tasks[0]) == sorted(
        [
            "id",
            "annotations",
            "file_upload",
            "drafts",
            "predictions",
            "data",
            "meta",
            "inner_id",
            "total_annotations",
            "cancelled_annotations",
            "total_predictions",
        ]
    )
    street, yard, empty = tasks
    assert street["data"] == {"image": "/data/local-files/?d=images/street.jpg"}
    assert empty["annotations"] == [] and empty["predictions"] == []
    by_author = {json.dumps(a["completed_by"]): a for a in street["annotations"]}
    assert sorted(by_author) == ['{"email": "ann@example.org"}', '{"email": "rev@example.org"}']
    annotation = by_author['{"email": "ann@example.org"}']
    assert annotation["created_at"] == "2025-06-07T08:09:10.123456Z" and annotation["was_cancelled"] is False
    for result in annotation["result"]:
        assert isinstance(result["id"], str) and isinstance(result["value"], dict)
        assert (result["to_name"], result["origin"], result["image_rotation"]) == ("image", "manual", 0)
        assert (result["original_width"], result["original_height"]) == (64, 48)
    box = annotation["result"][0]
    assert (box["type"], box["from_name"], box["value"]["rectanglelabels"]) == ("rectanglelabels", "box", ["car"])
    assert box["value"]["x"] == 12.5 and box["score"] == 0.75
    per_region = [r for r in annotation["result"] if r["id"] == box["id"] and r is not box]
    assert {r["from_name"]: r["type"] for r in per_region} == {"colour": "choices", "make": "textarea"}
    assert all(r["value"]["x"] == 12.5 for r in per_region)  # the region's geometry is repeated, as the editor does
    [prediction] = yard["predictions"]
    assert (prediction["model_version"], prediction["score"]) == ("undefined", 0.5)
    assert prediction["result"][0]["score"] == 0.5
    [video] = to_labelstudio(video_project(world))
    [car] = [r for a in video["annotations"] for r in a["result"] if r["type"] == "videorectangle"][:1]
    assert car["value"]["framesCount"] == 20 and car["value"]["labels"] == ["car"]
    keyframes = [(k["frame"], k["enabled"]) for k in car["value"]["sequence"]]
    assert keyframes == [(1, True), (10, False), (13, True), (14, True), (15, True), (16, False)]
    assert set(car["value"]["sequence"][0]) == {"frame", "enabled", "rotation", "x", "y", "width", "height", "time"}


def test_video_round_trip_and_what_is_dropped(world, tmp_path):
    project = video_project(world)
    path = tmp_path / "video.json"
    with pytest.warns(DroppedLabelsWarning) as caught:
        dropped = save(project, path, "labelstudio")
    message = str(caught[0].message)
    for what in ("video polygon annotations", "video bitmask annotations", "frame classifications on videos"):
        assert what in message
    assert dropped["dynamic answers that change over an object's frames"] > 0
    again = load(path, ontology=world.ontology)
    before, after = project.rows[0].get_space(id="clip"), again.rows[0].get_space(id="clip")
    assert (after.number_of_frames, after.fps, after.media) == (20, 10.0, "videos/clip.mp4")
    for instance in before.get_object_instances():
        if instance.ontology_item.shape not in (Shape.BOUNDING_BOX, Shape.ROTATABLE_BOUNDING_BOX):
            continue
        [twin] = [i for i in after.get_object_instances() if i.object_hash == instance.object_hash]
        assert after.get_object_frames(twin) == before.get_object_frames(instance)
        for frame in range(20):
            a = [v.coordinates for v in before.get_annotations_on_frame(frame) if v.object_instance is instance]
            b = [v.coordinates for v in after.get_annotations_on_frame(frame) if v.object_instance is twin]
            assert len(a) == len(b)
            if a:
                close(b[0], a[0])
    [scene] = after.get_annotations("classification")
    assert scene.is_global and scene.classification_instance.get_answer() == "motorway"


def test_a_dynamic_answer_held_on_every_frame_round_trips(world, tmp_path):
    row, video = world.video(frames=30)
    car = world.box.create_instance()
    video.put_object_instance(car, Range(2, 20), BoundingBoxCoordinates(0.2, 0.2, 0.1, 0.1))
    video.set_dynamic_answer(car, Range(2, 20), world.hidden)
    project = Project(world.ontology)
    project.add_row(row, media="cam.mp4")
    save(project, tmp_path / "one.json", "labelstudio")
    again = load(tmp_path / "one.json", ontology=world.ontology).rows[0].get_space(id="cam")
    [twin] = again.get_object_instances()
    [held] = again.get_dynamic_answer(twin, Range(0, 29), world.occlusion)
    assert held.answer is world.hidden and held.ranges == [Range(2, 20)]


# --- what is refused ------------------------------------------------------------------------------


def task(**result_value):
    value = {"x": 10.0, "y": 20.0, "width": 20.0, "height": 25.0, "rotation": 0, "rectanglelabels": ["Car"]}
    value.update(result_value)
    return {
        "id": 7,
        "data": {"image": "/data/upload/1/0123abcd-a.jpg"},
        "annotations": [
            {
                "id": 1,
                "completed_by": 3,
                "created_at": "2024-05-14T09:21:07Z",
                "result": [
                    {
                        "id": "r1",
                        "type": "rectanglelabels",
                        "from_name": "box",
                        "to_name": "image",
                        "original_width": 100,
                        "original_height": 50,
                        "image_rotation": 0,
                        "value": value,
                    }
                ],
            }
        ],
        "predictions": [],
    }


def changed(path, value):
    t = task()
    target = t
    for step in path[:-1]:
        target = target[step]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return [t]


R = ("annotations", 0, "result", 0)
RLE_HUGE = [255, 255, 255, 255, 57, 27, 255]


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ((*R, "original_width"), math.nan, r"result\[0\] \(r1\)\.original_width: expected a whole number"),
        ((*R, "value", "x"), math.inf, r"result\[0\] \(r1\)\.value\.x: expected a finite number"),
        ((*R, "value", "x"), 1e308, r"value\.x: 1e\+308 is outside -100\.0\.\.200\.0"),
        ((*R, "value", "width"), "20", r"value\.width: expected a number, got str"),
        ((*R, "value", "width"), KeyError, r"the field 'width' is missing"),
        ((*R, "value"), KeyError, r"result\[0\] \(r1\): the field 'value' is missing"),
        ((*R, "type"), KeyError, r"result\[0\]\.type: expected a non-empty string"),
        ((*R, "id"), 5, r"result\[0\]\.id: expected a non-empty string"),
        ((*R, "value", "rotation"), [], r"value\.rotation: expected a number"),
        ((*R, "score"), 2.0, r"score: 2\.0 is outside 0\.0\.\.1\.0"),
        (("annotations",), "x", r"tasks\[0\] \(id 7\)\.annotations: expected a list"),
        (("annotations", 0, "completed_by"), [3], r"completed_by: expected a whole number"),
        (("annotations", 0, "created_at"), "yesterday", r"created_at: expected an ISO 8601 time"),
        (("annotations", 0, "result"), KeyError, r"annotations\[0\]: the field 'result' is missing"),
        (("data",), KeyError, r"tasks\[0\] \(id 7\): the field 'data' is missing"),
        (("data", "image"), "/data/local-files/?d=../../etc/passwd", r"leads outside the media root"),
        (("data", "image"), "/etc/passwd", r"data\.image: the media path '/etc/passwd' leads outside"),
        (("predictions",), [{"result": [], "score": "high"}], r"predictions\[0\]\.score: expected a number"),
    ],
)
def test_malformed_values_name_the_file_task_and_field(tmp_path, path, value, message):
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(changed(path, value), allow_nan=True))
    with pytest.raises(FormatError, match=r"bad\.json: tasks\[0\]"):
        load(file, "labelstudio")
    with pytest.raises(FormatError, match=message):
        load(file, "labelstudio")


def brush(rle, width=100, height=50):
    t = task()
    result = t["annotations"][0]["result"][0]
    result.update(type="brushlabels", original_width=width, original_height=height)
    result["value"] = {"format": "rle", "rle": rle, "brushlabels": ["Sky"]}
    return [t]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (brush(RLE_HUGE), r"declares 4,294,967,295 values; a 100 x 50 image has 20,000"),
        (brush([0, 0, 78, 32, 57, 27]), r"ends in the middle of a block"),
        (brush([0, 0, 78, 32, 57, 27, 255, 255, 255, 255]), r"runs past the declared 20,000"),
        (brush([0, 0, 78, 32, 57, 27, 300]), r"value\.rle: expected a list of bytes \(whole numbers 0\.\.255\)"),
        (brush([0, 0, 78, 32, 57, 27, 1.5]), r"value\.rle: expected a list of bytes"),
        (brush("AAAA"), r"value\.rle: expected a list"),
        (brush(RLE_HUGE, 1_000_000, 1_000_000), r"a 1000000 x 1000000 mask is more than the reader's limit"),
        (brush(RLE_HUGE, 2_000_000, 5), r"original_width: 2000000 is outside 1\.\.1000000"),
    ],
)
def test_brush_masks_are_checked_before_they_are_decoded(tmp_path, data, message):
    file = tmp_path / "brush.json"
    file.write_text(json.dumps(data))
    with pytest.raises(FormatError, match=r"brush\.json: tasks\[0\] \(id 7\)\.annotations\[0\]\.result\[0\]"):
        load(file)
    with pytest.raises(FormatError, match=message):
        load(file)


def test_video_sizes_and_frames_are_checked(tmp_path):
    t = task()
    t["data"] = {"video": "clip.mp4"}
    t["meta"] = {"labelspace": {"row": 0, "space": "clip", "kind": "video", "width": 64, "height": 48, "frames": 10}}
    t["annotations"][0]["result"][0] = {
        "id": "t1",
        "type": "videorectangle",
        "from_name": "box",
        "to_name": "video",
        "value": {
            "framesCount": 10,
            "sequence": [{"frame": 2, "enabled": False, "x": 1, "y": 1, "width": 5, "height": 5}],
            "labels": ["Car"],
        },
    }
    file = tmp_path / "video.json"
    file.write_text(json.dumps([t]))
    [space] = load(file).rows[0].list_spaces()
    assert space.get_object_frames(space.get_object_instances()[0]) == [Range(1, 1)]
    for path, value, message in [
        (("value", "sequence", 0, "frame"), -1, r"sequence\[0\]\.frame: -1 is outside 1\.\.10000000"),
        (("value", "framesCount"), 1e12, r"framesCount: 1,000,000,000,000 frames is more than the reader's limit"),
        (("value", "sequence", 0, "enabled"), "no", r"sequence\[0\]\.enabled: expected true or false"),
    ]:
        bad = copy.deepcopy(t)
        target = bad["annotations"][0]["result"][0]
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
        file.write_text(json.dumps([bad]))
        with pytest.raises(FormatError, match=r"video\.json: tasks\[0\] \(id 7\)\.annotations\[0\]\.result\[0\]"):
            load(file)
        with pytest.raises(FormatError, match=message):
            load(file)
    bad = copy.deepcopy(t)
    bad["meta"]["labelspace"]["frames"] = 10**30
    file.write_text(json.dumps([bad]))
    with pytest.raises(FormatError, match=r"meta\.labelspace\.frames: .* frames is more than the reader's limit"):
        load(file)
    with pytest.raises(FormatError, match=r"frames is more than the reader's limit"):
        load(file, limits=Limits(max_frames=5))


def test_media_paths_outside_the_media_folder_need_allowing(tmp_path):
    t = task()
    t["data"]["image"] = "/data/local-files/?d=../photos/a%20b.jpg"
    file = tmp_path / "labels" / "tasks.json"
    file.parent.mkdir()
    file.write_text(json.dumps(t))  # one task, not a list
    with pytest.raises(FormatError, match=r"tasks\.json: tasks\[0\] \(id 7\)\.data\.image: the media path"):
        load(file)
    [space] = load(file, allow_outside_media=True).rows[0].list_spaces()
    assert space.media == "../photos/a b.jpg"


def test_a_task_without_sizes_takes_them_from_its_image(tmp_path):
    from PIL import Image

    t = task()
    t["annotations"][0]["result"] = [
        {"id": "c1", "type": "choices", "from_name": "scene", "to_name": "image", "value": {"choices": ["Urban"]}}
    ]
    file = tmp_path / "tasks.json"
    file.write_text(json.dumps([t]))
    with pytest.raises(FormatError, match=r"give no image size .*'/data/upload/1/0123abcd-a\.jpg'.*--media"):
        load(file)
    Image.new("RGB", (30, 20)).save(tmp_path / "0123abcd-a.jpg")  # as Label Studio stores the upload
    [space] = load(file).rows[0].list_spaces()
    assert (space.width, space.height, space.media) == (30, 20, "a.jpg")


def test_what_labelspace_cannot_hold_is_listed_on_import(tmp_path):
    t = task()
    results = t["annotations"][0]["result"]
    results.append({"id": "e1", "type": "ellipselabels", "from_name": "e", "to_name": "image", "value": {}})
    results.append({"id": "e1", "type": "choices", "from_name": "q", "to_name": "image", "value": {"choices": ["a"]}})
    results.append({"from_id": "r1", "to_id": "e1", "type": "relation", "direction": "right"})
    results.append({"id": "x1", "type": "taxonomy", "from_name": "t", "to_name": "image", "value": {"taxonomy": []}})
    results[0]["image_rotation"] = 90
    results[0]["value"]["width"] = 95.0  # x 10 + 95 reaches past the right edge
    t["predictions"] = [5, 6]
    t["annotations"].append({"id": 2, "was_cancelled": True, "result": [results[0]]})
    file = tmp_path / "tasks.json"
    file.write_text(json.dumps([t]))
    with pytest.warns(DroppedLabelsWarning) as caught:
        project = load(file)
    message = str(caught[0].message)
    for what in (
        "1 'ellipselabels' regions",
        "1 answers on dropped regions",
        "1 relations",
        "1 'taxonomy' results",
        "2 predictions listed only by id",
        "1 results of cancelled annotations",
        "1 regions drawn on a rotated view",
        "1 regions reaching past the image edge (clipped to it)",
    ):
        assert what in message
    [car] = project.rows[0].list_spaces()[0].get_annotations()
    assert car.coordinates.to_pixels(100, 50) == pytest.approx((10, 10, 90, 12.5))


def test_an_ontology_that_lacks_a_label_is_refused(tmp_path):
    ontology = Ontology()
    ontology.add_object("Bus", Shape.BOUNDING_BOX)
    with pytest.raises(
        FormatError, match=r"result\[0\] \(r1\): the ontology has no bounding_box or rotatable_bounding"
    ):
        from_labelstudio([task()], ontology, media=tmp_path)
    bus = changed((*R, "value", "rectanglelabels"), ["Bus"])
    assert len(from_labelstudio(bus, ontology).rows) == 1
    bus[0]["annotations"][0]["result"][0]["value"]["rotation"] = 30
    with pytest.raises(FormatError, match=r"no rotatable_bounding_box object named 'Bus'"):
        from_labelstudio(bus, ontology)


def test_the_labeling_config_fits_the_export(world):
    config = ET.fromstring(labelstudio_config(image_project(world)))
    assert [e.tag for e in config][:5] == ["Image", "RectangleLabels", "PolygonLabels", "KeyPointLabels", "BrushLabels"]
    boxes = config.find("RectangleLabels")
    assert [label.get("value") for label in boxes] == ["car", "boat"] and boxes.get("canRotate") == "true"
    colour = config.find("Choices[@name='colour']")
    assert colour.get("perRegion") == "true" and [c.get("value") for c in colour] == ["red", "blue"]
    assert config.find("Choices[@name='weather']").get("perRegion") is None
    video = ET.fromstring(labelstudio_config(video_project(world)))
    assert video.find("VideoRectangle").get("toName") == "video"


def test_written_files_are_replaced_whole(world, tmp_path):
    path = tmp_path / "tasks.json"
    path.write_text("old")
    with pytest.warns(DroppedLabelsWarning):
        save(image_project(world), path, "labelstudio")
    assert isinstance(json.loads(path.read_text()), list)
    assert [p.name for p in tmp_path.iterdir()] == ["tasks.json"]  # nothing is left beside it


def test_unlabelled_tools_open_polygons_and_old_completions(tmp_path):
    t = task()
    t["completions"] = t.pop("annotations")  # LS 0.x
    results = t["completions"][0]["result"]
    geometry = {"x": 50.0, "y": 10.0, "width": 10.0, "height": 20.0}
    results += [
        {"id": "u1", "type": "rectangle", "from_name": "r", "to_name": "image", "value": geometry},
        {"id": "u1", "type": "labels", "from_name": "l", "to_name": "image", "value": {**geometry, "labels": ["Dog"]}},
        {
            "id": "o1",
            "type": "polygonlabels",
            "from_name": "p",
            "to_name": "image",
            "value": {"points": [[0, 0], [50, 50], [100, 0]], "closed": False, "polygonlabels": ["Fence"]},
        },
    ]
    file = tmp_path / "old.json"
    file.write_text(json.dumps([t]))
    project = load(file)
    got = labels(project.rows[0].list_spaces()[0])
    assert got["u1"].object_instance.ontology_item.name == "Dog"  # a <Rectangle> with <Labels>: merged by id
    assert got["u1"].coordinates.to_pixels(100, 50) == pytest.approx((50, 5, 10, 10))
    fence = got["o1"]
    assert fence.object_instance.ontology_item.shape is Shape.POLYLINE  # an unfinished polygon
    assert fence.coordinates.to_pixels(100, 50) == [(0, 0), (50, 25), (100, 0)]
