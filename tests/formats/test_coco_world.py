"""COCO as the world writes it: mixed shapes per category, crowd RLE, keypoints, results; pycocotools as oracle."""

import json
import warnings

import pytest

pytest.importorskip("pycocotools")

from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from labelspace import FormatError, Shape
from labelspace.formats import DroppedLabelsWarning, load, save
from labelspace.formats.coco import load_coco
from tests.formats.samples import coco_person_layout, coco_results


@pytest.fixture
def person(tmp_path):
    path = tmp_path / "person.json"
    path.write_text(json.dumps(coco_person_layout()))
    return path


def by_object(project):
    """Annotations by (object name, shape)."""
    out = {}
    for row in project.rows:
        for space in row.list_spaces():
            for a in space.get_annotations():
                obj = a.object_instance.ontology_item
                out.setdefault((obj.name, obj.shape), []).append((space, a))
    return out


def test_a_category_in_several_shapes_becomes_an_object_per_shape(person):
    project = load_coco(person)
    assert [(o.name, o.shape) for o in project.ontology.objects] == [
        ("person", Shape.POLYGON),
        ("person", Shape.SKELETON),
        ("person", Shape.BITMASK),
        ("car", Shape.BOUNDING_BOX),
        ("car", Shape.POLYGON),
        ("traffic light", Shape.BITMASK),
    ]
    found = by_object(project)
    [(_, crowd)] = found[("person", Shape.BITMASK)]
    flag = next(a for a in crowd.object_instance.ontology_item.attributes if a.name == "iscrowd")
    assert crowd.object_instance.get_answer(flag).label == "1"
    oracle = COCO(str(person))
    expected = oracle.annToMask(oracle.loadAnns(2)[0]).astype(bool)
    assert (crowd.coordinates.to_array() == expected).all()
    [(_, skeleton)] = found[("person", Shape.SKELETON)]
    assert [(n.name, n.visibility) for n in skeleton.coordinates.values] == [
        ("nose", "visible"),
        ("left_eye", "occluded"),
    ]
    assert skeleton.coordinates.values[0].x == pytest.approx(15 / 64)
    # COCO names the keypoints and edges; the template places the labelled ones where they sit in
    # their box and the one never labelled on a circle.
    template = skeleton.object_instance.ontology_item.skeleton
    assert template.names == ["nose", "left_eye", "right_eye"]
    assert template.edges == (("nose", "left_eye"), ("nose", "right_eye"))
    [(_, outline)] = found[("person", Shape.POLYGON)]
    assert len(outline.coordinates.polygons) == 1
    [(_, box)] = found[("car", Shape.BOUNDING_BOX)]
    assert box.coordinates.to_pixels(64, 48) == pytest.approx((1.5, 2.5, 30.0, 20.0))
    [(_, two_parts)] = found[("car", Shape.POLYGON)]
    assert len(two_parts.coordinates.polygons) == 2  # one annotation, two polygons: one instance with two parts
    [(_, raw)] = found[("traffic light", Shape.BITMASK)]
    assert (raw.coordinates.to_array() == oracle.annToMask(oracle.loadAnns(5)[0]).astype(bool)).all()
    assert [s.media for r in project.rows for s in r.list_spaces()] == ["000000397133.jpg", "000000037777.jpg"]


def test_it_goes_back_to_one_category_per_name_and_cocoeval_runs(person, tmp_path):
    project = load_coco(person)
    save(project, tmp_path / "again.json", "coco")
    written = json.loads((tmp_path / "again.json").read_text())
    assert [(c["id"], c["name"]) for c in written["categories"]] == [(1, "person"), (2, "car"), (3, "traffic light")]
    # The category's keypoints and edges come back (from the skeleton template the import made).
    assert written["categories"][0]["keypoints"] == ["nose", "left_eye", "right_eye"]
    assert written["categories"][0]["skeleton"] == [[1, 2], [1, 3]]
    crowd = [a for a in written["annotations"] if a["iscrowd"] == 1]
    assert len(crowd) == 1 and isinstance(crowd[0]["segmentation"]["counts"], str)
    gt = COCO(str(tmp_path / "again.json"))
    detections = [
        {"image_id": a["image_id"], "category_id": a["category_id"], "bbox": a["bbox"], "score": 1.0}
        for a in written["annotations"]
        if a["iscrowd"] == 0 and a["bbox"][2] > 0
    ]
    evaluation = COCOeval(gt, gt.loadRes(detections), "bbox")
    evaluation.evaluate()
    evaluation.accumulate()
    assert evaluation.eval["precision"].max() == pytest.approx(1.0)
    again = load(tmp_path / "again.json")
    assert sorted(by_object(again)) == sorted(by_object(project))


def test_a_results_file_imports_as_predictions_on_its_dataset(tmp_path):
    dataset, results = coco_results()
    (tmp_path / "dataset.json").write_text(json.dumps(dataset))
    (tmp_path / "results.json").write_text(json.dumps(results))
    with pytest.raises(FormatError, match=r"results\.json: a COCO results file .* needs the dataset it predicts on"):
        load(tmp_path / "results.json")
    project = load(tmp_path / "results.json", dataset=tmp_path / "dataset.json")
    oracle = COCO(str(tmp_path / "dataset.json")).loadRes(str(tmp_path / "results.json"))
    annotations = [a for row in project.rows for s in row.list_spaces() for a in s.get_annotations()]
    predictions = [a for a in annotations if not a.manual_annotation]
    assert len(predictions) == len(oracle.getAnnIds()) == 3
    assert sorted(a.confidence for a in predictions) == [0.35, 0.77, 0.91]
    truth = [a for a in annotations if a.manual_annotation]
    assert len(truth) == 1 and truth[0].confidence == 1.0
    [mask] = [a for a in predictions if a.object_instance.ontology_item.shape is Shape.BITMASK]
    expected = oracle.annToMask(
        oracle.loadAnns([a for a in oracle.getAnnIds() if "segmentation" in results[a - 1]])[-1]
    )
    assert (mask.coordinates.to_array() == expected.astype(bool)).all()
    [box] = [a for a in predictions if a.confidence == 0.91]
    assert box.coordinates.to_pixels(64, 48) == pytest.approx(tuple(results[0]["bbox"]))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["annotations"][1]["segmentation"].update(size=[60000, 60000]), r"the mask is 60000 x 60000"),
        (
            lambda d: d["annotations"][1]["segmentation"].update(counts="@@@@@@@@@@@@@@@@@@@@"),
            "malformed compressed RLE",
        ),
        (lambda d: d["annotations"][4]["segmentation"].update(counts=[5, -2]), r"counts\[1\]: -2 is outside"),
        (lambda d: d["annotations"][0].update(segmentation=[[1, 2, 3]]), "needs 3 or more x, y pairs"),
        (lambda d: d["annotations"][0].update(keypoints=[1, 2]), "expected x, y, v triples"),
        (lambda d: d["annotations"][2].update(bbox=[1, 2, -3, 4]), "width and height of at least 0"),
        (lambda d: d["annotations"][2].update(bbox=[1, 2, float("nan"), 4]), "expected a finite number"),
        (lambda d: d["images"][0].update(width=10**12), r"width: 1000000000000 is outside 1\.\.1000000"),
    ],
)
def test_hostile_values_name_the_record(tmp_path, change, message):
    d = coco_person_layout()
    change(d)
    (tmp_path / "bad.json").write_text(json.dumps(d))
    with pytest.raises(FormatError, match=message):
        load_coco(tmp_path / "bad.json")


def test_a_tiny_file_declaring_a_huge_mask_is_refused_before_anything_is_allocated(tmp_path):
    import tracemalloc

    d = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 60000, "height": 60000}],
        "categories": [{"id": 1, "name": "x"}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "segmentation": {"size": [60000, 60000], "counts": "0"}}
        ],
    }
    (tmp_path / "bomb.json").write_text(json.dumps(d))
    assert (tmp_path / "bomb.json").stat().st_size < 300
    tracemalloc.start()
    with pytest.raises(FormatError, match="a 60000 x 60000 mask is more than the reader's limit"):
        load(tmp_path / "bomb.json")
    assert tracemalloc.get_traced_memory()[1] < 50 * 2**20
    tracemalloc.stop()
    from labelspace.formats import Limits

    d["images"][0].update(width=4, height=4)
    d["annotations"][0]["segmentation"] = {"size": [4, 4], "counts": [16]}
    (tmp_path / "small.json").write_text(json.dumps(d))
    with pytest.raises(FormatError, match="a 4 x 4 mask is more than the reader's limit of 8 pixels"):
        load(tmp_path / "small.json", limits=Limits(max_mask_pixels=8))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load(tmp_path / "small.json").rows
    assert DroppedLabelsWarning
