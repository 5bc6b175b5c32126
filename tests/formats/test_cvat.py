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
from labelspace.formats import DroppedLabelsWarning, guess_format, load
from labelspace.formats.cvat import load_cvat, save_cvat

P = PointCoordinate


def video_project(world):
    row = world.row()
    video = row.add_video_space("cam", 60, 640, 480, fps=25)
    car = world.box.create_instance()
    car.set_answer("Volvo", world.make)
    frames = np.arange(0, 20)
    xs = np.linspace(0.1, 0.5, 20)
    video.put_object_track(car, frames, np.column_stack([xs, np.full(20, 0.2), np.full(20, 0.25), np.full(20, 0.25)]))
    video.put_object_instance(car, Range(30, 44), BoundingBoxCoordinates(0.25, 0.25, 0.5, 0.5))  # back after a gap
    video.set_dynamic_answer(car, Range(0, 9), world.visible)
    video.set_dynamic_answer(car, Range(10, 44), world.hidden)
    road = world.polygon.create_instance()
    video.put_object_instance(road, Range(5, 50), PolygonCoordinates(values=[P(0, 0.5), P(1, 0.5), P(0.5, 1)]))
    lane = world.polyline.create_instance()
    video.put_object_instance(lane, Range(0, 59), PolylineCoordinates([P(0.5, 1), P(0.5, 0.6)]))
    return Project.of(row), video


def frames_of(space):
    out = {}
    for a in space.get_annotations():
        out.setdefault(a.object_instance.ontology_item.name, {})[a.frame] = a.coordinates
    return out


def test_video_tracks_round_trip_through_keyframes_and_outside(world, tmp_path):
    project, video = video_project(world)
    with pytest.warns(DroppedLabelsWarning, match="annotation times"):
        save_cvat(project, tmp_path / "video.xml")
    assert guess_format(tmp_path / "video.xml") == "cvat"
    xml = (tmp_path / "video.xml").read_text()
    assert 'outside="1"' in xml and 'keyframe="1"' in xml and "<mutable>True</mutable>" in xml
    again = load(tmp_path / "video.xml", ontology=world.ontology)
    [space] = again.rows[0].list_spaces()
    want, got = frames_of(video), frames_of(space)
    assert set(got) == set(want)
    for name in want:
        assert sorted(got[name]) == sorted(want[name]), name
        for frame, c in want[name].items():
            g = got[name][frame]
            if isinstance(c, BoundingBoxCoordinates):
                assert (g.top_left_x, g.top_left_y, g.width, g.height) == pytest.approx(
                    (c.top_left_x, c.top_left_y, c.width, c.height), abs=1e-9
                ), (name, frame)
            else:
                assert g == c, (name, frame)
    [car] = [o for o in space.get_object_instances() if o.ontology_item.name == "car"]
    assert car.get_answer(world.make) == "Volvo"
    answers = space.get_dynamic_answer(car, Range(0, 59), world.occlusion)
    assert [(a.answer.label, a.ranges) for a in answers] == [
        ("visible", [Range(0, 9)]),
        ("hidden", [Range(10, 19), Range(30, 44)]),
    ]


def test_images_and_tags(world, tmp_path):
    project = Project(world.ontology)
    for i in range(2):
        row = world.row()
        image = row.add_image_space(f"img{i}.jpg", 100, 80)
        car = world.box.create_instance()
        car.set_answer(world.blue)
        image.put_object_instance(car, BoundingBoxCoordinates(0.5, 0.5, 0.25, 0.25))
        image.put_object_instance(world.point.create_instance(), P(0.5, 0.5))
        sunny = world.weather.create_instance()
        sunny.set_answer(world.sunny)
        image.put_classification_instance(sunny)
        project.add_row(row)
    with pytest.warns(DroppedLabelsWarning, match="annotation times"):
        save_cvat(project, tmp_path / "images.xml")
    again = load_cvat(tmp_path / "images.xml")
    assert [o.name for o in again.ontology.objects][:5] == ["car", "boat", "road", "lane", "person"]
    space = again.rows[1].list_spaces()[0]
    car, point = list(space.get_annotations())
    assert car.coordinates == BoundingBoxCoordinates(0.5, 0.5, 0.25, 0.25) and point.coordinates == P(0.5, 0.5)
    colour = again.ontology.get_child_by_title("colour")
    assert car.object_instance.get_answer(colour).label == "blue"
    [tag] = space.get_classification_instances()
    assert tag.get_answer().label == "sunny"


def test_several_videos_are_refused(world, tmp_path):
    row = world.row()
    row.add_video_space("a", 5, 10, 10)
    row.add_video_space("b", 5, 10, 10)
    with pytest.raises(FormatError, match="CVAT XML holds one video, or images only"):
        save_cvat(row, tmp_path / "x.xml")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "<annotations><meta><task><labels><label><name>car</name><type>rectangle</type></label></labels></task></meta>"
            "<image id='0' name='a' width='10' height='10'><box label='car' xtl='a' ytl='0' xbr='5' ybr='5'/>"
            "</image></annotations>",
            r"image 0: box 0: xtl: expected a number",
        ),
        (
            "<annotations><meta><task><labels><label><name>car</name></label></labels></task></meta>"
            "<image id='0' name='a' width='10' height='10'><box label='bus' xtl='0' ytl='0' xbr='5' ybr='5'/>"
            "</image></annotations>",
            r"image 0: box 0: label: The ontology has no Object titled 'bus'",
        ),
        (
            "<annotations><meta><task><size>5</size><original_size><width>10</width><height>10</height></original_size>"
            "<labels><label><name>car</name></label></labels></task></meta><track id='0' label='car'>"
            "<box frame='9' outside='0' xtl='0' ytl='0' xbr='5' ybr='5'/></track></annotations>",
            r"track 0: box 0: frame: 9 is outside 0\.\.4",
        ),
        (
            "<annotations><meta><task><labels><label><name>sky</name><type>mask</type></label></labels></task></meta>"
            "<image id='0' name='a' width='10' height='10'><mask label='sky' rle='1, 2' left='0' top='0' width='2' "
            "height='2'/></image></annotations>",
            r"image 0: mask 0: rle: the run lengths add up to 3; a 2 x 2 mask needs 4",
        ),
        (
            "<annotations><meta><task><labels><label><name>sky</name><type>mask</type></label></labels></task></meta>"
            "<image id='0' name='a' width='10' height='10'><mask label='sky' rle='4' left='9' top='0' width='2' "
            "height='2'/></image></annotations>",
            r"image 0: mask 0: left, top, width, height: a 2 x 2 mask at \(9, 0\) does not fit the 10 x 10 image",
        ),
        ("<notes/>", "expected a CVAT <annotations> document"),
    ],
)
def test_malformed_xml_names_the_element_and_field(tmp_path, body, message):
    (tmp_path / "bad.xml").write_text(body)
    with pytest.raises(FormatError, match=r"bad\.xml: " + message):
        load_cvat(tmp_path / "bad.xml")


def test_masks_go_as_cvat_writes_them(world, tmp_path):
    rng = np.random.default_rng(5)
    masks = [np.zeros((48, 64), bool) for _ in range(3)]
    masks[0][10:20, 5:30] = rng.random((10, 25)) < 0.5
    masks[1][0, 0] = masks[1][47, 63] = True  # the box is the whole image, starting with a 1
    row = world.row()
    video = row.add_video_space("cam", 5, 64, 48)
    sky = world.mask.create_instance()
    for frame, mask in enumerate(masks):
        video.put_object_instance(sky, frame, BitmaskCoordinates(mask))
    with pytest.warns(DroppedLabelsWarning, match="annotation times"):
        save_cvat(row, tmp_path / "video.xml")
    xml = (tmp_path / "video.xml").read_text()
    assert '<mask frame="1" outside="0"' in xml and 'rle="0, 1, 3070, 1"' in xml
    space = load(tmp_path / "video.xml", ontology=world.ontology).rows[0].list_spaces()[0]
    got = {a.frame: a.coordinates for a in space.get_annotations()}
    assert sorted(got) == [0, 1, 2]
    for frame, mask in enumerate(masks):
        assert got[frame] == BitmaskCoordinates(mask), frame


def test_a_mask_written_by_hand_reads_into_place(tmp_path):
    (tmp_path / "m.xml").write_text(
        "<annotations><meta><task><labels><label><name>sky</name><type>mask</type></label></labels></task></meta>"
        "<image id='0' name='a.png' width='6' height='5'>"
        "<mask label='sky' source='manual' occluded='0' rle='1, 4, 1' left='1' top='2' width='3' height='2' "
        "z_order='0'/></image></annotations>"
    )
    project = load_cvat(tmp_path / "m.xml")
    assert project.ontology.objects[0].shape.value == "bitmask"
    [a] = project.rows[0].list_spaces()[0].get_annotations()
    expected = np.zeros((5, 6), bool)
    expected[2, 2:4] = expected[3, 1:3] = True
    assert (a.coordinates.to_array() == expected).all()


def skeleton(x, visibility=None, name=""):
    return SkeletonCoordinates(
        [SkeletonCoordinate(x, 0.2, "head", visibility), SkeletonCoordinate(x + 0.1, 0.6, "foot")], name
    )


def test_skeletons_round_trip_on_images_and_in_tracks(world, tmp_path):
    row = world.row()
    video = row.add_video_space("cam", 12, 200, 100)
    pose = world.skeleton.create_instance()
    for frame in range(4):
        video.put_object_instance(pose, frame, skeleton(0.1 + frame / 10, "occluded" if frame == 2 else None))
    video.put_object_instance(pose, Range(7, 9), skeleton(0.5, "invisible"))
    with pytest.warns(DroppedLabelsWarning) as caught:
        save_cvat(row, tmp_path / "video.xml")
    assert "skeleton" not in str(caught[0].message).replace("skeleton nodes said", "")
    xml = (tmp_path / "video.xml").read_text()
    assert "<parent>pose</parent>" in xml and "<type>skeleton</type>" in xml
    space = load(tmp_path / "video.xml", ontology=world.ontology).rows[0].list_spaces()[0]
    got = {a.frame: a.coordinates for a in space.get_annotations()}
    want = {a.frame: a.coordinates for a in video.get_annotations()}
    assert sorted(got) == sorted(want) == [0, 1, 2, 3, 7, 8, 9]
    for frame, c in want.items():
        assert [(n.name, n.visibility) for n in got[frame].values] == [(n.name, n.visibility) for n in c.values]
        assert [v for n in got[frame].values for v in (n.x, n.y)] == pytest.approx(
            [v for n in c.values for v in (n.x, n.y)]
        )

    image_row = world.row()
    image = image_row.add_image_space("a.jpg", 200, 100)
    image.put_object_instance(world.skeleton.create_instance(), skeleton(0.3, "visible", name="person"))
    with pytest.warns(DroppedLabelsWarning, match="1 skeleton names, 1 skeleton nodes said to be visible"):
        save_cvat(image_row, tmp_path / "image.xml")
    project = load_cvat(tmp_path / "image.xml")
    assert [o.name for o in project.ontology.objects if o.shape.value == "skeleton"] == ["pose"]
    assert "head" not in [o.name for o in project.ontology.objects]  # nodes are not labels of their own
    [a] = project.rows[0].list_spaces()[0].get_annotations()
    assert a.coordinates == skeleton(0.3)


def test_a_cvat_skeleton_track_leaves_when_all_its_nodes_do(tmp_path):
    (tmp_path / "s.xml").write_text(
        "<annotations><meta><task><size>10</size><original_size><width>100</width><height>100</height>"
        "</original_size><labels><label><name>s1</name><type>skeleton</type></label>"
        "<label><name>1</name><type>points</type><parent>s1</parent></label>"
        "<label><name>2</name><type>points</type><parent>s1</parent></label></labels></task></meta>"
        "<track id='1' label='s1' source='manual'>"
        "<skeleton frame='0' keyframe='1' z_order='0'>"
        "<points label='1' outside='0' occluded='0' keyframe='1' points='10,20'/>"
        "<points label='2' outside='0' occluded='1' keyframe='1' points='30,40'/></skeleton>"
        "<skeleton frame='4' keyframe='1' z_order='0'>"
        "<points label='1' outside='0' occluded='0' keyframe='1' points='50,20'/>"
        "<points label='2' outside='0' occluded='1' keyframe='1' points='70,40'/></skeleton>"
        "<skeleton frame='5' keyframe='1' z_order='0'>"
        "<points label='1' outside='1' occluded='0' keyframe='1' points='50,20'/>"
        "<points label='2' outside='1' occluded='0' keyframe='1' points='70,40'/></skeleton>"
        "</track></annotations>"
    )
    project = load_cvat(tmp_path / "s.xml")
    [space] = project.rows[0].list_spaces()
    got = {a.frame: a.coordinates for a in space.get_annotations()}
    assert sorted(got) == [0, 1, 2, 3, 4]
    head, tail = got[2].values
    assert (head.name, head.x, head.y, head.visibility) == ("1", pytest.approx(0.3), pytest.approx(0.2), None)
    assert (tail.name, tail.visibility) == ("2", "occluded")


def test_rotated_boxes_keep_their_angle(world, tmp_path):
    row = world.row()
    video = row.add_video_space("cam", 6, 200, 100)
    turned = world.rotated.create_instance()
    video.put_object_instance(turned, Range(0, 2), RotatableBoundingBoxCoordinates(0.2, 0.3, 0.1, 0.4, 30.0))
    video.put_object_instance(turned, 3, RotatableBoundingBoxCoordinates(0.2, 0.3, 0.1, 0.4, -90.0))
    with pytest.warns(DroppedLabelsWarning) as caught:
        save_cvat(row, tmp_path / "video.xml")
    assert "rotat" not in str(caught[0].message)
    xml = (tmp_path / "video.xml").read_text()
    assert 'rotation="30.0"' in xml and 'rotation="270.0"' in xml and "<type>rectangle</type>" in xml
    space = load(tmp_path / "video.xml", ontology=world.ontology).rows[0].list_spaces()[0]
    got = {a.frame: a.coordinates for a in space.get_annotations()}
    assert sorted(got) == [0, 1, 2, 3]
    assert [got[f].theta for f in range(4)] == [30.0, 30.0, 30.0, 270.0]
    assert (got[1].top_left_x, got[1].width) == pytest.approx((0.1, 0.3))
    # without an ontology, a label whose boxes turn becomes a rotatable box
    guessed = load_cvat(tmp_path / "video.xml")
    assert {o.name: o.shape.value for o in guessed.ontology.objects}["boat"] == "rotatable_bounding_box"


def test_a_rotated_box_on_a_plain_box_object_is_refused(world, tmp_path):
    row = world.row()
    image = row.add_image_space("a.jpg", 100, 100)
    image.put_object_instance(world.rotated.create_instance(), RotatableBoundingBoxCoordinates(0.2, 0.2, 0.1, 0.1, 45))
    with pytest.warns(DroppedLabelsWarning):
        save_cvat(row, tmp_path / "a.xml")
    (tmp_path / "a.xml").write_text((tmp_path / "a.xml").read_text().replace('label="boat"', 'label="car"'))
    with pytest.raises(
        FormatError, match=r"box 0: rotation: the box is rotated by 45 degrees but its object is a plain b"
    ):
        load_cvat(tmp_path / "a.xml", world.ontology)
