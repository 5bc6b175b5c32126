import base64
import copy
import io
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from labelspace import (
    BitmaskCoordinates,
    BoundingBoxCoordinates,
    FormatError,
    PointCoordinate,
    PolygonCoordinates,
    PolylineCoordinates,
    Project,
    RotatableBoundingBoxCoordinates,
    Shape,
    SkeletonCoordinates,
)
from labelspace.formats import DroppedLabelsWarning, guess_format, load, save
from labelspace.formats.labelme import load_labelme, to_labelme
from tests.formats.samples import image_project, video_project

DATA = Path(__file__).parent / "data" / "labelme"
P = PointCoordinate


def pixels(coordinates, width, height):
    """A polygon's parts (outer rings) or a polyline's points, in pixels."""
    if isinstance(coordinates, PolygonCoordinates):
        return [[(x, y) for x, y in part[0]] for part in coordinates.to_pixels(width, height)]
    return coordinates.to_pixels(width, height)


def assert_points(got, expected, tol=1e-9):
    assert len(got) == len(expected)
    for (gx, gy), (ex, ey) in zip(got, expected, strict=True):
        assert gx == pytest.approx(ex, abs=tol) and gy == pytest.approx(ey, abs=tol)


def by_label(space):
    out = {}
    for a in space.get_annotations():
        out.setdefault(a.object_instance.ontology_item.name, []).append(a)
    return out


def answers(instance):
    return {a.name: [o.label for o in v] if isinstance(v, list) else v for a, v in instance.get_static_answers()}


# --- the research fixtures ------------------------------------------------------------------------


def test_street_groups_shapes_by_label_and_group_id():
    street = DATA / "street_001.json"
    assert guess_format(street) == "labelme"
    with pytest.raises(FormatError, match=r"street_001\.json: imagePath: the media path '\.\./images/street_001\.jpg'"):
        load(street)  # the Windows path leads out of the file's folder
    [row] = load(street, allow_outside_media=True).rows
    assert row.list_spaces()[0].media == "../images/street_001.jpg"
    project = load(street, media=DATA.parent)  # a media folder that holds both
    [space] = project.rows[0].list_spaces()
    assert (space.space_id, space.width, space.height, space.media) == ("street_001", 640, 480, "images/street_001.jpg")
    got = by_label(space)
    assert {name: len(v) for name, v in got.items()} == {
        "person": 2,
        "car": 1,
        "lane": 1,
        "curb": 1,
        "traffic_light": 1,
    }  # six objects, as labelme2coco counts them by (label, group_id)
    first, second = (pixels(a.coordinates, 640, 480) for a in got["person"])
    assert_points(first[0], [(101, 120), (131, 118), (140, 170), (98, 172)])  # group 1: upper body and legs
    assert_points(first[1], [(102, 196), (138, 196), (141, 260), (99, 262)])
    assert len(second) == 1
    [car] = got["car"]
    assert isinstance(car.coordinates, BoundingBoxCoordinates)
    assert car.coordinates.to_pixels(640, 480) == pytest.approx((250, 180, 150, 120))  # drawn bottom-right first
    [lane], [curb] = got["lane"], got["curb"]
    assert_points(pixels(lane.coordinates, 640, 480), [(0, 470), (320, 300)])
    assert_points(pixels(curb.coordinates, 640, 480), [(640, 400), (520, 380), (430, 395), (350, 440)])
    assert got["traffic_light"][0].coordinates.to_pixels(640, 480) == pytest.approx((512.5, 64.0))
    shapes = {(o.name, o.shape) for o in project.ontology.objects}
    assert shapes == {
        ("person", Shape.POLYGON),
        ("car", Shape.BOUNDING_BOX),
        ("lane", Shape.POLYLINE),
        ("curb", Shape.POLYLINE),
        ("traffic_light", Shape.POINT),
    }


def test_parking_lot_circles_flags_and_descriptions(tmp_path):
    with pytest.warns(DroppedLabelsWarning, match=r"dropped 2 circles \(imported as 32-point polygons\)\.$"):
        project = load(DATA / "parking_lot.json")
    [space] = project.rows[0].list_spaces()
    assert (space.width, space.height, space.media) == (64, 48, "parking_lot.png")
    got = by_label(space)
    front, back = got["wheel"]
    for wheel, centre, radius in ((front, (20, 30), 6), (back, (44, 30), 5)):
        ring = pixels(wheel.coordinates, 64, 48)[0]
        assert len(ring) == 32
        assert [math.dist(p, centre) for p in ring] == pytest.approx([radius] * 32)
    assert answers(front.object_instance) == {"flags": [], "description": "front wheel"}
    assert answers(back.object_instance) == {"flags": ["occluded"]}  # an empty description is none
    [car] = got["car"]
    assert car.coordinates.to_pixels(64, 48) == pytest.approx((10, 12, 44, 24))
    assert answers(car.object_instance) == {"flags": [], "description": "red hatchback"}
    [logo] = got["logo"]
    assert logo.coordinates.to_pixels(64, 48) == pytest.approx((32, 20)) and answers(logo.object_instance) == {}
    [flags] = space.get_annotations("classification")
    assert answers(flags.classification_instance) == {"flags": ["blurry"]}
    assert [o.label for o in flags.classification_instance.ontology_item.attributes[0].options] == ["night", "blurry"]
    # without a declared size, the embedded image's header gives it
    doc = json.loads((DATA / "parking_lot.json").read_text())
    del doc["imageWidth"], doc["imageHeight"]
    (tmp_path / "embedded.json").write_text(json.dumps(doc))
    with pytest.warns(DroppedLabelsWarning):
        [space] = load(tmp_path / "embedded.json").rows[0].list_spaces()
    assert (space.width, space.height) == (64, 48)


def test_aerial_tile_mask_and_polygon_of_one_group_are_one_object():
    with pytest.warns(DroppedLabelsWarning, match=r"dropped 1 shapes drawn into the mask of their group"):
        project = load(DATA / "aerial_tile.json")
    [space] = project.rows[0].list_spaces()
    assert (space.width, space.height) == (200, 150)
    annotations = list(space.get_annotations())
    assert [
        (a.object_instance.ontology_item.name, a.object_instance.ontology_item.shape.value) for a in annotations
    ] == [
        ("building", "bitmask"),  # the mask and the polygon of group 3
        ("roof", "polygon"),  # group 3 too, but another label: another object
        ("building", "polygon"),
        ("tree", "bounding_box"),
    ]
    mask = annotations[0].coordinates.to_array()
    assert mask[12, 20] and not mask[10, 29] and not mask[10, 20] and mask[17, 24] and not mask[17, 25]
    assert mask[16, 37] and not mask[11, 37]  # the polygon (30, 12)-(44, 20), drawn with its outline
    assert int(mask.sum()) == 51 + 15 * 9
    assert_points(pixels(annotations[1].coordinates, 200, 150)[0], [(21, 11), (28, 11), (28, 13), (21, 13)])
    tree = annotations[3]
    assert tree.coordinates.to_pixels(200, 150) == pytest.approx((60.5, 90.5, 20, 21.5))
    assert answers(tree.object_instance) == {"description": "oak"}


def test_a_folder_of_files_is_one_row_per_file(tmp_path):
    folder = tmp_path / "labels"
    (folder / "more").mkdir(parents=True)
    shutil.copy(DATA / "parking_lot.json", folder)
    shutil.copy(DATA / "aerial_tile.json", folder / "more")
    (folder / "notes.json").write_text('{"note": "not labelme"}')
    assert guess_format(folder) == "labelme"
    with pytest.warns(DroppedLabelsWarning, match="1 JSON files that are not LabelMe files"):
        project = load(folder)
    spaces = [s for row in project.rows for s in row.list_spaces()]
    assert [(s.space_id, s.media) for s in spaces] == [
        ("more/aerial_tile", "more/aerial_tile.png"),  # relative to its file, kept relative to the folder
        ("parking_lot", "parking_lot.png"),
    ]
    assert {o.name for o in project.ontology.objects} >= {"wheel", "building", "tree"}


# --- round trips ----------------------------------------------------------------------------------


def close(a, b, tol=1e-9):
    assert type(a) is type(b)
    if isinstance(a, BitmaskCoordinates):
        assert a == b
    elif isinstance(a, (PolygonCoordinates, PolylineCoordinates)):
        flat = [v for p in a.values for v in (p.x, p.y)]
        assert flat == pytest.approx([v for p in b.values for v in (p.x, p.y)], abs=tol)
    elif isinstance(a, SkeletonCoordinates):
        assert [(n.name, round(n.x, 9), round(n.y, 9)) for n in a.values] == [
            (n.name, round(n.x, 9), round(n.y, 9)) for n in b.values
        ]
    elif isinstance(a, PointCoordinate):
        assert (a.x, a.y) == pytest.approx((b.x, b.y), abs=tol)
    else:
        fields = ["top_left_x", "top_left_y", "width", "height"]
        fields += ["theta"] if isinstance(a, RotatableBoundingBoxCoordinates) else []
        assert [getattr(a, f) for f in fields] == pytest.approx([getattr(b, f) for f in fields], abs=tol)


def test_images_round_trip_what_labelme_holds(world, tmp_path):
    project = image_project(world)
    out = tmp_path / "labelme"
    with pytest.warns(DroppedLabelsWarning, match="LabelMe cannot hold everything") as caught:
        dropped = save(project, out, "labelme")
    for what in (
        "rotated boxes (written as polygons of their corners)",
        "polygon holes",
        "skeletons (written as points sharing a group_id)",
        "skeleton node visibilities",
        "nested attribute answers",
        "annotation times (created, last edited)",
    ):
        assert dropped[what] > 0 and what in str(caught[0].message)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json")) == [
        "images/empty.json",
        "images/street.json",
        "images/yard.json",
    ]
    street = json.loads((out / "images" / "street.json").read_text())
    assert (street["imagePath"], street["imageData"], street["imageWidth"]) == ("street.jpg", None, 64)
    assert street["flags"] == {"weather:sunny": False, "weather:rain": True}
    car = street["shapes"][0]
    assert (car["shape_type"], car["points"], car["group_id"]) == ("rectangle", [[8.0, 12.0], [40.0, 24.0]], None)
    assert car["flags"] == {"colour:red": True, "colour:blue": False}
    skeleton = [s for s in street["shapes"] if s["label"] == "pose"]
    assert [(s["shape_type"], s["description"], s["group_id"]) for s in skeleton] == [
        ("point", "head", 1),
        ("point", "neck", 1),
    ]
    assert guess_format(out) == "labelme"

    again = load(out, ontology=world.ontology)
    spaces = {s.space_id: s for row in again.rows for s in row.list_spaces()}
    assert sorted(spaces) == ["images/empty", "images/street", "images/yard"]
    for before in (s for row in project.rows for s in row.list_spaces()):
        after = spaces[f"images/{before.space_id}"]
        assert (after.width, after.height, after.media) == (before.width, before.height, before.media)
        got = list(after.get_annotations())
        expected = list(before.get_annotations())
        assert [a.object_instance.ontology_item for a in got] == [a.object_instance.ontology_item for a in expected]
        for a, b in zip(expected, got, strict=True):
            c = a.coordinates
            if isinstance(c, PolygonCoordinates):
                c = PolygonCoordinates(values=c.values)  # the hole is dropped
            if isinstance(c, SkeletonCoordinates):  # visibilities are dropped
                c = SkeletonCoordinates(
                    [type(n)(n.x, n.y, n.name) for n in c.values], name=a.object_instance.ontology_item.name
                )
            close(b.coordinates, c)
    [car] = [a for a in spaces["images/street"].get_annotations() if a.object_instance.ontology_item is world.box]
    assert car.object_instance.get_answer(world.colour) is world.red
    [weather] = spaces["images/street"].get_annotations("classification")
    assert weather.classification_instance.get_answer() is world.rain

    with pytest.warns(DroppedLabelsWarning, match="grouped points imported as single points"):
        built = load(out)  # without the ontology, flags are one checklist per object; skeletons are points
    attributes = {o.name: {a.name: [x.label for x in a.options] for a in o.attributes} for o in built.ontology.objects}
    assert attributes["car"] == {"flags": ["colour:red", "colour:blue"]}
    assert attributes["pose"] == {"description": []}  # each point keeps its node's name
    street = next(s for row in built.rows for s in row.list_spaces() if s.space_id == "images/street")
    assert [answers(a.object_instance) for a in by_label(street)["pose"]] == [
        {"description": "head"},
        {"description": "neck"},
    ]


def test_several_parts_share_a_group_id(world, tmp_path):
    project = Project(world.ontology)
    row = world.row()
    image = row.add_image_space("fields", 100, 100)
    parts = [[[P(0.1, 0.1), P(0.3, 0.1), P(0.2, 0.3)]], [[P(0.6, 0.6), P(0.9, 0.6), P(0.8, 0.9)]]]
    for _ in range(2):
        image.put_object_instance(world.polygon.create_instance(), PolygonCoordinates(polygons=parts))
    project.add_row(row, media="fields.png")
    documents = to_labelme(project)
    shapes = documents["fields"]["shapes"]
    assert [s["group_id"] for s in shapes] == [1, 1, 2, 2]  # unique in the file
    with pytest.warns(DroppedLabelsWarning, match="annotation times"):
        save(project, tmp_path / "out", "labelme")
    [a, b] = load(tmp_path / "out", ontology=world.ontology).rows[0].list_spaces()[0].get_annotations()
    assert len(a.coordinates.polygons) == len(b.coordinates.polygons) == 2
    close(a.coordinates, PolygonCoordinates(polygons=parts))


def test_video_frames_are_files(world, tmp_path):
    out = tmp_path / "frames"
    with pytest.warns(DroppedLabelsWarning):
        save(video_project(world), out, "labelme")
    names = sorted(p.stem for p in (out / "videos").glob("*.json"))
    assert names == [f"clip_{f:06d}" for f in range(16)]  # frames with objects (0-9, 12-15) or frame classifications
    frame = json.loads((out / "videos" / "clip_000003.json").read_text())
    assert frame["imagePath"] == "clip_000003.jpg"
    assert frame["shapes"][0]["flags"] == {
        "colour:red": False,
        "colour:blue": True,
        "occlusion:visible": False,
        "occlusion:hidden": True,  # a dynamic answer, as it is on this frame
    }
    with pytest.warns(DroppedLabelsWarning, match="answers to dynamic attributes"):
        again = load(out, ontology=world.ontology)
    assert len(again.rows) == 16


def test_a_non_empty_folder_is_replaced_only_when_asked(world, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.json").write_text("{}")
    with pytest.raises(FormatError, match="already holds files"):
        save(Project(world.ontology), out, "labelme")
    project = Project(world.ontology)
    row = world.row()
    row.add_image_space("a", 10, 10)
    project.add_row(row, media="a.png")
    save(project, out, "labelme", overwrite=True)
    assert sorted(p.name for p in out.iterdir()) == ["a.json"]


# --- what is refused ------------------------------------------------------------------------------


def png(width, height, value=1):
    buffer = io.BytesIO()
    Image.fromarray(np.full((height, width), value, np.uint8), mode="L").save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


BASE = {
    "version": "5.5.0",
    "flags": {},
    "shapes": [
        {
            "label": "car",
            "points": [[10.0, 10.0], [20.0, 15.0]],
            "group_id": None,
            "description": "",
            "shape_type": "rectangle",
            "flags": {},
            "mask": None,
        }
    ],
    "imagePath": "a.png",
    "imageData": None,
    "imageHeight": 40,
    "imageWidth": 50,
}
S = ("shapes", 0)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("imageWidth",), math.nan, r"imageWidth: expected a whole number"),
        (("imageWidth",), math.inf, r"imageWidth: expected a whole number"),
        (("imageWidth",), 1e308, r"imageWidth: .* is outside 1\.\.1000000"),
        (("imageWidth",), "50", r"imageWidth: expected a whole number, got str"),
        (("imageHeight",), -1, r"imageHeight: -1 is outside"),
        (("shapes",), "x", r"shapes: expected a list"),
        (("shapes",), KeyError, r"the field 'shapes' is missing"),
        (("shapes",), [[1, 2]], r"shapes\[0\]: expected an object"),
        ((*S, "points"), [[math.nan, 1]], r"shapes\[0\] \(car\)\.points\[0\]\[0\]: expected a finite number"),
        ((*S, "points"), "x", r"shapes\[0\] \(car\)\.points: expected a list"),
        ((*S, "points"), [[1e308, 1]], r"points\[0\]: .* is more than the image's size away"),
        ((*S, "points"), KeyError, r"shapes\[0\] \(car\): the field 'points' is missing"),
        ((*S, "label"), 5, r"shapes\[0\]\.label: expected a non-empty string"),
        ((*S, "shape_type"), 7, r"shapes\[0\] \(car\)\.shape_type: expected a non-empty string"),
        ((*S, "group_id"), "a", r"shapes\[0\] \(car\)\.group_id: expected a whole number"),
        ((*S, "flags"), [], r"shapes\[0\] \(car\)\.flags: expected an object"),
        ((*S, "flags"), {"x": "yes"}, r"flags\.x: expected true or false"),
        ((*S, "description"), 5, r"description: expected a string"),
        (("imagePath",), "../x.png", r"imagePath: the media path '\.\./x\.png' leads outside"),
        (("imagePath",), "/etc/x.png", r"imagePath: the media path '/etc/x\.png' leads outside"),
        (("imagePath",), "C:\\data\\x.png", r"imagePath: the media path 'C:/data/x\.png' leads outside"),
        (("imagePath",), "..\\..\\x.png", r"imagePath: the media path '\.\./\.\./x\.png' leads outside"),
        (("flags",), {"night": 1.5}, r"flags\.night: expected true or false"),
    ],
)
def test_malformed_values_name_the_file_and_shape(tmp_path, path, value, message):
    doc = copy.deepcopy(BASE)
    target = doc
    for step in path[:-1]:
        target = target[step]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(doc, allow_nan=True))
    with pytest.raises(FormatError, match=r"bad\.json: (shapes\[0\] \(car\)\.)?" + message):
        load_labelme(file)


def mask_doc(mask, points=((10.0, 10.0), (19.0, 14.0))):
    doc = copy.deepcopy(BASE)
    doc["shapes"][0].update(shape_type="mask", points=[list(p) for p in points], mask=mask)
    return doc


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (mask_doc(png(51, 10)), r"shapes\[0\] \(car\)\.mask: the mask PNG is 51 x 10, bigger than its 50 x 40 image"),
        (mask_doc(png(10, 4000)), r"the mask PNG is 10 x 4000, bigger than its 50 x 40 image"),
        (mask_doc("not base64!"), r"shapes\[0\] \(car\)\.mask: not base64 data"),
        (mask_doc(base64.b64encode(b"GIF89a").decode()), r"\.mask: not a PNG image"),
        (mask_doc(None), r"\.mask: expected a non-empty string"),
        ({**BASE, "imageWidth": None, "imageHeight": None}, r"bad\.json: the file gives no image size.*--media"),
        ({**BASE, "imageWidth": None, "imageHeight": None, "imageData": "???"}, r"imageData: not base64 data"),
        ({**BASE, "imageWidth": None, "imageHeight": None, "imageData": "AAAA"}, r"imageData: not an image"),
    ],
)
def test_masks_and_images_are_checked_before_they_are_decoded(tmp_path, doc, message):
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(doc))
    with pytest.raises(FormatError, match=message):
        load_labelme(file)


def test_a_mask_is_placed_at_its_first_point(tmp_path):
    file = tmp_path / "a.json"
    file.write_text(json.dumps(mask_doc(png(10, 5))))
    [mask] = load(file).rows[0].list_spaces()[0].get_annotations()
    array = mask.coordinates.to_array()
    assert array[10:15, 10:20].all() and int(array.sum()) == 50
    file.write_text(json.dumps(mask_doc(png(10, 5), points=((45.0, 38.0), (54.0, 42.0)))))
    with pytest.warns(DroppedLabelsWarning, match="1 shapes reaching past the image edge"):
        [mask] = load(file).rows[0].list_spaces()[0].get_annotations()
    assert int(mask.coordinates.to_array().sum()) == 5 * 2  # cut to the image


def test_images_outside_the_media_folder_need_allowing(tmp_path):
    folder = tmp_path / "labels"
    folder.mkdir()
    doc = {**BASE, "imagePath": "..\\images\\a.png"}
    (folder / "a.json").write_text(json.dumps(doc))
    with pytest.raises(FormatError, match=r"a\.json: imagePath: the media path '\.\./images/a\.png' leads outside"):
        load(folder)
    assert load(folder, allow_outside_media=True).rows[0].list_spaces()[0].media == "../images/a.png"
    assert load(folder, media=tmp_path).rows[0].list_spaces()[0].media == "images/a.png"
    (folder / "a.json").write_text(json.dumps({**BASE, "imagePath": "a.png", "imageWidth": None, "imageHeight": None}))
    with pytest.raises(FormatError, match=r"no image size"):
        load(folder)
    Image.new("RGB", (31, 17)).save(folder / "a.png")
    [space] = load(folder).rows[0].list_spaces()
    assert (space.width, space.height) == (31, 17)


def test_lenient_reading_of_old_and_odd_shapes(tmp_path):
    doc = copy.deepcopy(BASE)
    shape = doc["shapes"][0]
    del shape["shape_type"], shape["group_id"], shape["flags"], shape["description"]  # labelme 3.x: a polygon
    shape["points"] = [[1, 1], [30, 1], [30, 20]]
    doc["shapes"] += [
        {"label": "dot", "points": [[1, 2], [3, 4], [60, 4]], "shape_type": "points"},
        {"label": "car", "points": [[1, 2]], "shape_type": "rectangle"},
        {"label": "cloud", "points": [[1, 2], [3, 4]], "shape_type": "cloud"},
    ]
    file = tmp_path / "old.json"
    file.write_text(json.dumps(doc))
    with pytest.warns(DroppedLabelsWarning) as caught:
        project = load(file)
    message = str(caught[0].message)
    assert "1 'cloud' shapes" in message and "1 shapes with the wrong number of points" in message
    assert "1 shapes reaching past the image edge (clipped to it)" in message
    got = by_label(project.rows[0].list_spaces()[0])
    assert isinstance(got["car"][0].coordinates, PolygonCoordinates)
    assert [a.coordinates.to_pixels(50, 40) for a in got["dot"]] == [(1, 2), (3, 4), (50, 4)]


def test_oriented_rectangles_are_rotated_boxes(tmp_path):
    doc = copy.deepcopy(BASE)
    doc["imageWidth"], doc["imageHeight"] = 100, 100
    c, s = math.cos(math.radians(30)), math.sin(math.radians(30))
    corners = [(50 + a * c - b * s, 50 + a * s + b * c) for a, b in ((-20, -10), (20, -10), (20, 10), (-20, 10))]
    doc["shapes"][0].update(shape_type="oriented_rectangle", points=[list(p) for p in corners])
    (tmp_path / "a.json").write_text(json.dumps(doc))
    [box] = load(tmp_path / "a.json").rows[0].list_spaces()[0].get_annotations()
    assert isinstance(box.coordinates, RotatableBoundingBoxCoordinates)
    assert box.coordinates.to_pixels(100, 100) == pytest.approx((30, 40, 40, 20, 30))
