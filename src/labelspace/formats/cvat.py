"""CVAT XML 1.1, for images and for video <-> ``Project``.

*For images*: an ``<image>`` per image space with its ``<box>``, ``<polygon>``, ``<polyline>``,
``<points>``, ``<mask>``, ``<skeleton>`` and ``<tag>`` elements. *For video*: one video (or volume)
with a ``<track>`` per object instance: shapes at keyframes, ``outside="1"`` where the object
leaves, and CVAT's linear interpolation in between. Export puts a keyframe at every boundary of the
object's runs and of its dynamic answers, so interpolation gives back every frame exactly; import
interpolates boxes and rotated boxes, and points of shapes whose point counts agree (others hold
until the next keyframe), as CVAT does.

Attributes are written by name: static ones on every shape, dynamic ones as CVAT's mutable
attributes. Rotated boxes are boxes with CVAT's ``rotation`` (degrees clockwise about the centre,
as labelspace's ``theta``). Masks go as CVAT writes them: the box around the mask's pixels
(``left``, ``top``, ``width``, ``height``) and run lengths over that box's rows, starting with a
run of 0s. Skeletons are a ``<skeleton>`` of named ``<points>``, the node names declared as
sub-labels (``<parent>``) of the skeleton's label; a node's ``outside="1"`` reads as invisible and
``occluded="1"`` as occluded.

CVAT has no place for skeleton names, annotation metadata (times, authors, confidence) or, for
video, classifications; CVAT cannot tell a skeleton node said to be visible from one not said.
All of that is listed in a ``DroppedLabelsWarning`` on export.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from labelspace.formats._atomic import write_file
from labelspace.formats._common import (
    Reader,
    count_dropped_metadata,
    put_classification,
    put_object,
    reading,
    warn_dropped,
)
from labelspace.formats._masks import mask_bounds, mask_from_row_runs, row_runs
from labelspace.formats._options import ReadOptions, WriteOptions
from labelspace.formats._paths import media_path
from labelspace.formats._placing import hashable
from labelspace.formats._reading import DEFAULT_LIMITS, Limits, read_xml, root_tag
from labelspace.model.annotations import ObjectRuns
from labelspace.model.coordinates import (
    BitmaskCoordinates,
    BoundingBoxCoordinates,
    GeometricCoordinates,
    PointCoordinate,
    PolygonCoordinates,
    PolylineCoordinates,
    RotatableBoundingBoxCoordinates,
    SkeletonCoordinate,
    SkeletonCoordinates,
)
from labelspace.model.errors import FormatError
from labelspace.model.frames import Range, merge_runs
from labelspace.model.instances import ObjectInstance
from labelspace.model.label_row import LabelRow
from labelspace.model.layouts import to_row
from labelspace.model.native import answer_label
from labelspace.model.ontology import (
    Attribute,
    ChecklistAttribute,
    Classification,
    NumericAttribute,
    Object,
    Ontology,
    RadioAttribute,
    Shape,
    TextAttribute,
    walk_attributes,
)
from labelspace.model.project import Project
from labelspace.model.spaces import MultiFrameSpace, Space

_TAG_OF = {
    Shape.BOUNDING_BOX: "box",
    Shape.ROTATABLE_BOUNDING_BOX: "box",
    Shape.POLYGON: "polygon",
    Shape.POLYLINE: "polyline",
    Shape.POINT: "points",
    Shape.BITMASK: "mask",
    Shape.SKELETON: "skeleton",
}
_SHAPE_OF = {
    "box": Shape.BOUNDING_BOX,
    "polygon": Shape.POLYGON,
    "polyline": Shape.POLYLINE,
    "points": Shape.POINT,
    "mask": Shape.BITMASK,
    "skeleton": Shape.SKELETON,
}
_KIND_OF = {**_SHAPE_OF, "rectangle": Shape.BOUNDING_BOX}  # a <label>'s <type>
_INPUT_TYPE = {"radio": "select", "checklist": "checkbox", "text": "text", "numeric": "number"}
_ATTRIBUTE_OF = {
    "select": RadioAttribute,
    "radio": RadioAttribute,
    "checkbox": ChecklistAttribute,
    "number": NumericAttribute,
}


def is_cvat(path: Path) -> bool:
    """Whether a path is a CVAT XML file (its root element is ``<annotations>``)."""
    return path.is_file() and root_tag(path) == "annotations"


# --- export ---------------------------------------------------------------------------------------


def _e(parent: ET.Element, tag: str, text: object = None, **attrs: object) -> ET.Element:
    child = ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items()})
    if text is not None:
        child.text = str(text)
    return child


def _answer_text(value: Any) -> str:
    label = answer_label(value)
    return ",".join(label) if isinstance(label, list) else str(label)


def _points_text(points: list[tuple[float, float]]) -> str:
    return ";".join(f"{x!r},{y!r}" for x, y in points)


def _geometry(c: GeometricCoordinates, w: int, h: int, dropped: Counter[str]) -> dict[str, str]:
    if isinstance(c, (BoundingBoxCoordinates, RotatableBoundingBoxCoordinates)):
        x, y, bw, bh = c.top_left_x * w, c.top_left_y * h, c.width * w, c.height * h
        box = {"xtl": repr(x), "ytl": repr(y), "xbr": repr(x + bw), "ybr": repr(y + bh)}
        if isinstance(c, RotatableBoundingBoxCoordinates) and c.theta % 360:
            box["rotation"] = repr(c.theta % 360)
        return box
    if isinstance(c, PolygonCoordinates):
        if any(len(part) > 1 for part in c.polygons) or len(c.polygons) > 1:
            dropped["polygon holes and extra parts"] += 1
        return {"points": _points_text([p.to_pixels(w, h) for p in c.values])}
    if isinstance(c, PolylineCoordinates):
        return {"points": _points_text(c.to_pixels(w, h))}
    if isinstance(c, PointCoordinate):
        return {"points": _points_text([c.to_pixels(w, h)])}
    if isinstance(c, BitmaskCoordinates):
        return _mask_geometry(c.to_array())
    assert isinstance(c, SkeletonCoordinates)
    if c.name:
        dropped["skeleton names"] += 1
    dropped["skeleton nodes said to be visible (CVAT reads them as not said)"] += sum(
        n.visibility == "visible" for n in c.values
    )
    return {}  # the nodes are child elements


def _mask_geometry(mask: Any) -> dict[str, str]:
    bounds = mask_bounds(mask)
    if bounds is None:  # an empty mask: one background pixel in the corner
        top = left = 0
        patch = mask[:1, :1]
    else:
        top, bottom, left, right = bounds
        patch = mask[top : bottom + 1, left : right + 1]
    return {
        "rle": ", ".join(map(str, row_runs(patch).tolist())),
        "left": str(left),
        "top": str(top),
        "width": str(patch.shape[1]),
        "height": str(patch.shape[0]),
    }


def _skeleton_nodes(element: ET.Element, c: SkeletonCoordinates, w: int, h: int, in_track: bool) -> None:
    gone = element.get("outside") == "1"
    for node in c.values:
        _e(
            element,
            "points",
            label=node.name,
            source="manual",
            outside=int(gone or node.visibility == "invisible"),
            occluded=int(node.visibility == "occluded"),
            **({"keyframe": 1} if in_track else {}),
            points=_points_text([(node.x * w, node.y * h)]),
        )


def _shape_element(
    parent: ET.Element,
    instance: ObjectInstance,
    c: GeometricCoordinates,
    space: Space,
    dropped: Counter[str],
    answers: list[tuple[Attribute, Any]],
    **attrs: object,
) -> ET.Element:
    shape = instance.ontology_item.shape
    element = _e(
        parent,
        _TAG_OF[shape],
        **({"label": instance.ontology_item.name} if parent.tag != "track" else {}),
        **attrs,
        **_geometry(c, space.width, space.height, dropped),
    )
    if isinstance(c, SkeletonCoordinates):
        _skeleton_nodes(element, c, space.width, space.height, parent.tag == "track")
    for attribute, value in answers:
        _e(element, "attribute", _answer_text(value), name=attribute.name)
    return element


def _labels(meta: ET.Element, ontology: Ontology, spaces: list[Space], dropped: Counter[str]) -> None:
    labels = _e(meta, "labels")
    elements: list[Object | Classification] = [*ontology.objects, *ontology.classifications]
    for element in elements:
        label = _e(labels, "label")
        _e(label, "name", element.name if isinstance(element, Object) else element.title)
        kind = _TAG_OF[element.shape] if isinstance(element, Object) else "tag"
        _e(label, "type", "rectangle" if kind == "box" else kind)
        attributes = _e(label, "attributes")
        nested = [a for a in walk_attributes(element.attributes) if a not in element.attributes]
        dropped["attributes nested under options (CVAT's attributes are flat; written flat)"] += len(nested)
        for attribute in [*element.attributes, *nested]:  # a classification's first attribute describes its tag
            spec = _e(attributes, "attribute")
            _e(spec, "name", attribute.name)
            _e(spec, "mutable", "True" if attribute.dynamic else "False")
            _e(spec, "input_type", _INPUT_TYPE[attribute.kind])
            _e(spec, "default_value", attribute.options[0].label if attribute.options else "")
            _e(spec, "values", "\n".join(o.label for o in attribute.options))
    for obj in ontology.objects:
        for node in _node_names(spaces, obj):
            label = _e(labels, "label")
            _e(label, "name", node)
            _e(label, "type", "points")
            _e(label, "attributes")
            _e(label, "parent", obj.name)


def _node_names(spaces: list[Space], obj: Object) -> dict[str, None]:
    """A skeleton object's node names, in the order first seen."""
    names: dict[str, None] = {}
    if obj.shape is Shape.SKELETON:
        for space in spaces:
            for instance in space.get_object_instances():
                if instance.ontology_item is obj:
                    for skeleton in space.get_object_runs(instance).values:
                        names.update(dict.fromkeys(n.name for n in skeleton.values))  # type: ignore[union-attr]
    return names


def to_cvat(project: Project | LabelRow, dropped: Counter[str] | None = None) -> ET.Element:
    """CVAT XML: *for video* when the project is one video or volume, *for images* when all are images.

    Args:
        project: The project (or one row).
        dropped: Counts of what CVAT cannot hold are added here.

    Raises:
        FormatError: If the project mixes images and videos or holds several videos (export rows separately).
    """
    if isinstance(project, LabelRow):
        project = Project.of(project)
    dropped = dropped if dropped is not None else Counter()
    spaces = [s for row in project.rows for s in row.list_spaces()]
    videos = [s for s in spaces if isinstance(s, MultiFrameSpace)]
    if videos and len(spaces) != 1:
        raise FormatError(
            f"CVAT XML holds one video, or images only; this project has {len(videos)} video(s) among {len(spaces)} "
            f"spaces. Export each video's row on its own."
        )
    root = ET.Element("annotations")
    _e(root, "version", "1.1")
    task = _e(_e(root, "meta"), "task")
    if videos:
        video = videos[0]
        _e(task, "size", video.number_of_frames)
        _e(task, "mode", "interpolation")
        size = _e(task, "original_size")
        _e(size, "width", video.width)
        _e(size, "height", video.height)
        if video.media:
            _e(task, "name", video.media)
        _labels(task, project.ontology, spaces, dropped)
        _write_tracks(root, video, dropped)
    else:
        _e(task, "size", len(spaces))
        _e(task, "mode", "annotation")
        _labels(task, project.ontology, spaces, dropped)
        for i, space in enumerate(spaces):
            image = _e(root, "image", id=i, name=space.media or space.space_id, width=space.width, height=space.height)
            for view in space.get_annotations():
                instance = view.object_instance
                shape = _shape_element(image, instance, view.coordinates, space, dropped, instance.get_static_answers())
                shape.set("occluded", "0")
                shape.set("z_order", "0")
                count_dropped_metadata(dropped, view.metadata)
            for cview in space.get_annotations("classification"):
                tag = _e(image, "tag", label=cview.classification_instance.ontology_item.title, source="manual")
                for attribute, value in cview.classification_instance.get_static_answers():
                    _e(tag, "attribute", _answer_text(value), name=attribute.name)
                count_dropped_metadata(dropped, cview.metadata)
    ET.indent(root)
    return root


def _value_at(runs: ObjectRuns, frame: int) -> GeometricCoordinates:
    i = int(np.searchsorted(runs.starts, frame, "right")) - 1
    values = runs.values
    if isinstance(values, np.ndarray):
        from labelspace.model.layouts import coordinates_from_row

        return coordinates_from_row(_shape_of_row(values.shape[1]), values[i].tolist())
    return values[i]


def _shape_of_row(stride: int) -> Shape:
    return {4: Shape.BOUNDING_BOX, 5: Shape.ROTATABLE_BOUNDING_BOX, 2: Shape.POINT}[stride]


def _write_tracks(root: ET.Element, video: MultiFrameSpace, dropped: Counter[str]) -> None:
    n = video.number_of_frames
    for track_id, instance in enumerate(video.get_object_instances()):
        track = _e(root, "track", id=track_id, label=instance.ontology_item.name, source="manual")
        runs = video.get_object_runs(instance)
        dynamic = video.get_dynamic_answer_runs(instance)
        for k in range(len(runs)):
            count_dropped_metadata(dropped, runs.metadata[k], int(runs.ends[k] - runs.starts[k] + 1))
        present_s, present_e = merge_runs(runs.starts, runs.ends)
        cuts = set(runs.starts.tolist()) | set(runs.ends.tolist())
        for answers in dynamic:
            cuts |= set(answers.starts.tolist()) | set(answers.ends.tolist())
            cuts |= {e + 1 for e in answers.ends.tolist()} | {s - 1 for s in answers.starts.tolist()}
        cuts |= {s - 1 for s in runs.starts.tolist()} | {e + 1 for e in runs.ends.tolist()}
        candidates = np.array(sorted(cuts), np.int64)
        at = np.searchsorted(present_e, candidates)  # the run that could hold each candidate frame
        inside = at < present_s.size
        inside[inside] &= present_s[at[inside]] <= candidates[inside]
        static = instance.get_static_answers()
        for frame in candidates[inside].tolist():
            here = [(a.attribute, a.at(frame)) for a in dynamic if a.at(frame) is not None]
            _shape_element(
                track,
                instance,
                _value_at(runs, frame),
                video,
                dropped,
                [*static, *here],
                frame=frame,
                outside=0,
                occluded=0,
                keyframe=1,
                z_order=0,
            )
        for end in present_e.tolist():
            if end + 1 < n:
                _shape_element(
                    track,
                    instance,
                    _value_at(runs, end),
                    video,
                    Counter(),
                    [],
                    frame=end + 1,
                    outside=1,
                    occluded=0,
                    keyframe=1,
                    z_order=0,
                )
        track[:] = sorted(track, key=lambda e: int(e.get("frame", 0)))
    dropped["classification annotations (CVAT for video has no tags)"] += sum(
        1 for _ in video.get_annotations("classification")
    )


def save_cvat(project: Project | LabelRow, path: str | os.PathLike[str]) -> Counter[str]:
    """Write CVAT XML atomically; return (and warn about) what CVAT could not hold."""
    dropped: Counter[str] = Counter()
    document = to_cvat(project, dropped)
    write_file(path, ET.tostring(document, encoding="utf-8", xml_declaration=True))
    return warn_dropped("CVAT XML", dropped)


# --- import ---------------------------------------------------------------------------------------


def _floats(r: Reader, text: str | None, where: str) -> list[tuple[float, float]]:
    points = []
    for k, pair in enumerate(p for p in (text or "").split(";") if p.strip()):
        parts = pair.split(",")
        if len(parts) != 2:
            raise r.fail(f"{where}points", f"expected 'x,y;x,y;...', got {pair[:30]!r} as point {k}.")
        points.append((_to_number(r, parts[0], f"{where}points"), _to_number(r, parts[1], f"{where}points")))
    if not points:
        raise r.fail(f"{where}points", "no points given.")
    return points


def _to_number(r: Reader, text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise r.fail(where, f"expected a number, got {text.strip()[:30]!r}.") from None
    return r.number(value, where)


def _number(r: Reader, element: ET.Element, key: str, where: str) -> float:
    text = element.get(key)
    if text is None:
        raise r.fail(f"{where}{key}", "missing.")
    return _to_number(r, text, f"{where}{key}")


def _mask(r: Reader, element: ET.Element, w: int, h: int, where: str) -> BitmaskCoordinates:
    left = r.integer(_number(r, element, "left", where), f"{where}left", 0)
    top = r.integer(_number(r, element, "top", where), f"{where}top", 0)
    width = r.integer(_number(r, element, "width", where), f"{where}width", 1)
    height = r.integer(_number(r, element, "height", where), f"{where}height", 1)
    if left + width > w or top + height > h:
        raise r.fail(
            f"{where}left, top, width, height",
            f"a {width} x {height} mask at ({left}, {top}) does not fit the {w} x {h} image.",
        )
    r.mask_size(w, h, where)
    counts = [
        r.integer(_to_number(r, v, f"{where}rle"), f"{where}rle", 0, width * height)
        for v in (element.get("rle") or "").split(",")
        if v.strip()
    ]
    if sum(counts) != width * height:
        raise r.fail(
            f"{where}rle", f"the run lengths add up to {sum(counts)}; a {width} x {height} mask needs {width * height}."
        )
    return mask_from_row_runs(counts, (top, left, height, width), (h, w))


def _skeleton(r: Reader, element: ET.Element, w: int, h: int, where: str) -> SkeletonCoordinates:
    nodes = []
    for k, node in enumerate(element.findall("points")):
        at = f"{where}points {k}: "
        points = _floats(r, node.get("points"), at)
        if len(points) != 1:
            raise r.fail(f"{at}points", f"a skeleton node holds one point, got {len(points)}.")
        visibility = "invisible" if node.get("outside") == "1" else "occluded" if node.get("occluded") == "1" else None
        x, y = points[0]
        with r.at(at):
            nodes.append(SkeletonCoordinate(x / w, y / h, node.get("label") or "", visibility))  # type: ignore[arg-type]
    with r.at(where):
        return SkeletonCoordinates(nodes)


def _skeleton_gone(element: ET.Element) -> bool:
    """A skeleton in a track is outside when it says so, or (as CVAT writes it) when all its nodes are."""
    if element.get("outside") is not None:
        return element.get("outside") == "1"
    nodes = element.findall("points")
    return bool(nodes) and all(n.get("outside") == "1" for n in nodes)


def _coordinates(r: Reader, element: ET.Element, shape: Shape, w: int, h: int, where: str) -> GeometricCoordinates:
    if element.tag == "mask":
        return _mask(r, element, w, h, where)
    if element.tag == "skeleton":
        return _skeleton(r, element, w, h, where)
    with r.at(where.rstrip(": ")):
        if element.tag == "box":
            xtl, ytl = _number(r, element, "xtl", where), _number(r, element, "ytl", where)
            xbr, ybr = _number(r, element, "xbr", where), _number(r, element, "ybr", where)
            rotation = _number(r, element, "rotation", where) if element.get("rotation") is not None else 0.0
            if shape is Shape.ROTATABLE_BOUNDING_BOX:
                return RotatableBoundingBoxCoordinates.from_pixels((xtl, ytl, xbr - xtl, ybr - ytl, rotation), w, h)
            if rotation % 360:
                raise r.fail(
                    f"{where}rotation",
                    f"the box is rotated by {rotation:g} degrees but its object is a plain bounding box in the "
                    "ontology; make it a rotatable bounding box to keep the angle.",
                )
            return BoundingBoxCoordinates.from_pixels((xtl, ytl, xbr - xtl, ybr - ytl), w, h)
        points = _floats(r, element.get("points"), where)
        if element.tag == "polygon":
            return PolygonCoordinates.from_pixels([[points]], w, h)
        if element.tag == "polyline":
            return PolylineCoordinates.from_pixels(points, w, h)
        if len(points) != 1:
            raise r.fail(f"{where}points", f"a point object holds one point, got {len(points)}.")
        return PointCoordinate.from_pixels(points[0], w, h)


def _answer(r: Reader, attribute: Attribute, text: str, where: str) -> Any:
    if isinstance(attribute, RadioAttribute):
        found = next((o for o in attribute.options if o.label == text), None)
        if found is None:
            raise r.fail(
                where, f"{text[:30]!r} is not an option of {attribute.name!r} ({[o.label for o in attribute.options]})."
            )
        return found
    if isinstance(attribute, ChecklistAttribute):
        chosen = {t for t in text.split(",") if t}
        unknown = chosen - {o.label for o in attribute.options}
        if unknown:
            raise r.fail(where, f"{sorted(unknown)[0][:30]!r} is not an option of {attribute.name!r}.")
        return [o for o in attribute.options if o.label in chosen]
    if isinstance(attribute, NumericAttribute):
        value = _to_number(r, text, where)
        return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value
    return text


def _ontology_from_labels(r: Reader, document: ET.Element) -> Ontology:
    ontology = Ontology()
    shapes: dict[str, str] = {}
    rotated: set[str] = set()
    for element in document.iter():
        if element.tag in _SHAPE_OF and element.get("label"):
            shapes.setdefault(element.get("label", ""), element.tag)
            if element.tag == "box" and element.get("rotation") not in (None, "0", "0.0"):
                rotated.add(element.get("label", ""))
    for track in document.iter("track"):
        first = next(iter(track), None)
        if first is not None and first.tag in _SHAPE_OF:
            shapes.setdefault(track.get("label", ""), first.tag)
        if any(e.tag == "box" and e.get("rotation") not in (None, "0", "0.0") for e in track):
            rotated.add(track.get("label", ""))
    for i, label in enumerate(document.iter("label")):
        if label.findtext("parent"):
            continue  # a skeleton's node
        name = (label.findtext("name") or "").strip()
        kind = label.findtext("type") or shapes.get(name, "")
        specs = list(label.iter("attribute"))
        with r.at(f"meta label {i}"):
            if kind == "tag":
                classification = ontology.add_classification()
                _add_attribute_from_spec(classification, specs[0] if specs else None, name)
                continue
            shape = _KIND_OF.get(kind if kind in _KIND_OF else shapes.get(name, "box"), Shape.BOUNDING_BOX)
            if shape is Shape.BOUNDING_BOX and name in rotated:
                shape = Shape.ROTATABLE_BOUNDING_BOX
            obj = ontology.add_object(name, shape)
            for spec in specs:
                _add_attribute_from_spec(obj, spec, None)
    if not ontology.objects and not ontology.classifications:
        raise r.fail("meta", "no <label> definitions found.")
    return ontology


def _add_attribute_from_spec(owner: Object | Classification, spec: ET.Element | None, name: str | None) -> None:
    """Add the attribute a CVAT <attribute> spec describes (a text attribute called ``name`` without one)."""
    if spec is None:
        owner.add_attribute(TextAttribute, name or "value")
        return
    cls = _ATTRIBUTE_OF.get(spec.findtext("input_type") or "text", TextAttribute)
    dynamic = spec.findtext("mutable") == "True" and isinstance(owner, Object)
    attribute = owner.add_attribute(cls, spec.findtext("name") or name or "value", dynamic=dynamic)
    if isinstance(attribute, (RadioAttribute, ChecklistAttribute)):
        for value in dict.fromkeys((spec.findtext("values") or "").split("\n")):
            if value:
                attribute.add_option(value)


def _object(r: Reader, ontology: Ontology, name: str | None, where: str) -> Object:
    with r.at(f"{where}label"):
        return ontology.get_child_by_title(name or "", Object)


def _apply_static(r: Reader, instance: ObjectInstance, element: ET.Element, where: str) -> dict[str, str]:
    """Set static answers from a shape's <attribute>s; return the dynamic ones by name."""
    from labelspace.formats._common import attributes_by_name

    dynamic: dict[str, str] = {}
    by_name = attributes_by_name(instance.ontology_item)
    answers = instance.get_static_answers()
    given = {a.feature_node_hash for a, _ in answers}
    for child in element.findall("attribute"):
        attribute = by_name.get(child.get("name", ""))
        if attribute is None:
            raise r.fail(
                f"{where}attribute {child.get('name', '')[:30]!r}",
                f"not an attribute of {instance.ontology_item.name!r}.",
            )
        if attribute.dynamic:
            dynamic[attribute.name] = child.text or ""
        elif attribute.feature_node_hash not in given:
            with r.at(f"{where}attribute {attribute.name!r}"):
                instance.set_answer(
                    _answer(r, attribute, child.text or "", f"{where}attribute {attribute.name!r}"), attribute
                )
    return dynamic


def _load_image(
    r: Reader, image: ET.Element, ontology: Ontology, where: str, media: Path | None, allow: bool
) -> LabelRow:
    width, height = r.image_size(_number(r, image, "width", where), _number(r, image, "height", where), where)
    row = LabelRow(ontology)
    name = image.get("name") or where.rstrip(": ")
    space = row.add_image_space(name, width, height)
    if image.get("name"):
        space.media = media_path(r, image.get("name"), f"{where}name", media, allow)
    for j, element in enumerate(e for e in image if e.tag in _SHAPE_OF):
        at = f"{where}{element.tag} {j}: "
        obj = _object(r, ontology, element.get("label"), at)
        instance = obj.create_instance()
        _apply_static(r, instance, element, at)
        coordinates = _coordinates(r, element, obj.shape, width, height, at)
        with r.at(at.rstrip(": ")):
            put_object(space, instance, 0, coordinates)
    for j, tag in enumerate(image.findall("tag")):
        at = f"{where}tag {j}: "
        with r.at(f"{at}label"):
            classification = ontology.get_child_by_title(tag.get("label", ""), Classification)
        tag_instance = classification.create_instance()
        for child in tag.findall("attribute"):
            attribute = next((a for a in classification.attributes if a.name == child.get("name")), None)
            if attribute is not None:
                with r.at(f"{at}attribute {attribute.name!r}"):
                    tag_instance.set_answer(_answer(r, attribute, child.text or "", at), attribute, overwrite=True)
        with r.at(at.rstrip(": ")):
            put_classification(space, tag_instance, None)
    return row


def _interpolate(a: GeometricCoordinates, b: GeometricCoordinates, t: float) -> GeometricCoordinates:
    """CVAT's linear interpolation between two keyframes' shapes (``a`` held where shapes cannot be mixed)."""
    if isinstance(a, SkeletonCoordinates) and isinstance(b, SkeletonCoordinates):
        if [n.name for n in a.values] != [n.name for n in b.values] or a == b:
            return a
        return SkeletonCoordinates(
            [
                SkeletonCoordinate(p.x + (q.x - p.x) * t, p.y + (q.y - p.y) * t, p.name, p.visibility)
                for p, q in zip(a.values, b.values, strict=True)
            ],
            a.name,
        )
    points_a = getattr(a, "values", None)
    points_b = getattr(b, "values", None)
    if points_a is not None and points_b is not None and len(points_a) == len(points_b) and a != b:
        mixed = [
            PointCoordinate(p.x + (q.x - p.x) * t, p.y + (q.y - p.y) * t)
            for p, q in zip(points_a, points_b, strict=True)
        ]
        return type(a)(values=mixed) if isinstance(a, PolygonCoordinates) else PolylineCoordinates(mixed)
    return a


class _TrackPutter:
    """Puts one CVAT track on its video: held segments as ranges, interpolated boxes in one track put at the end.

    Dynamic answers wait for the object to be on their frames, and go one call per answer.
    """

    def __init__(self, space: MultiFrameSpace, instance: ObjectInstance) -> None:
        self.space = space
        self.instance = instance
        self.frames: list[npt.NDArray[np.int64]] = []
        self.rows: list[npt.NDArray[np.float64]] = []
        self.answers: dict[tuple[str, Any], tuple[Attribute, Any, list[Range]]] = {}

    def segment(
        self, first: int, last: int, a: GeometricCoordinates, b: GeometricCoordinates | None, b_frame: int
    ) -> None:
        """The object on ``first..last``, interpolated towards ``b`` at frame ``b_frame`` (held where it cannot be)."""
        row_a, row_b = to_row(a), to_row(b) if b is not None else None
        if b is None or a == b or (row_a is None and _interpolate(a, b, 0.5) is a):
            self.space.put_object_instance(self.instance, Range(first, last), a)
            return
        frames = np.arange(first, last + 1)
        t = (frames - first) / (b_frame - first)
        if row_a is not None and row_b is not None:
            start, end = np.array(row_a), np.array(row_b)
            self.frames.append(frames)
            self.rows.append(start[None, :] + (end - start)[None, :] * t[:, None])  # between two valid boxes
            return
        for frame, weight in zip(frames.tolist(), t.tolist(), strict=True):
            self.space.put_object_instance(self.instance, frame, _interpolate(a, b, weight))

    def answer(self, attribute: Attribute, value: Any, first: int, last: int) -> None:
        """A dynamic answer on ``first..last``."""
        key = (attribute.feature_node_hash, hashable(value))
        self.answers.setdefault(key, (attribute, value, []))[2].append(Range(first, last))

    def finish(self) -> None:
        """Put what waited: the interpolated frames, then the dynamic answers."""
        if self.frames:
            self.space.put_object_track(self.instance, np.concatenate(self.frames), np.concatenate(self.rows))
        for attribute, value, ranges in self.answers.values():
            self.space.set_dynamic_answer(self.instance, ranges, value, attribute)


def _load_video(
    r: Reader, document: ET.Element, ontology: Ontology, stem: str, media: Path | None, allow: bool
) -> LabelRow:
    task = document.find("meta/task")
    if task is None:
        task = document.find("meta/job")  # an export of one job
    if task is None:
        raise r.fail("meta/task", "missing; CVAT for video describes its video there (or in meta/job).")
    where = f"meta/{task.tag}"
    size = _parse_int(r, task.findtext("size"), f"{where}/size")
    if task.findtext("stop_frame") is not None:  # frame numbers count from the task's first frame
        size = max(size, _parse_int(r, task.findtext("stop_frame"), f"{where}/stop_frame") + 1)
    frames = r.frame_count(size, f"{where}/size")
    original = task.find("original_size")
    if original is None:
        original = document.find("meta/original_size")  # where newer CVAT versions put it
    if original is None:
        raise r.fail(f"{where}/original_size", "missing; CVAT for video gives the frames' size there.")
    width, height = r.image_size(
        _parse_int(r, original.findtext("width"), f"{where}/original_size/width"),
        _parse_int(r, original.findtext("height"), f"{where}/original_size/height"),
        f"{where}/original_size/",
    )
    row = LabelRow(ontology)
    name = (task.findtext("name") or "").strip()
    space = row.add_video_space(name or stem, frames, width, height)
    if name:
        space.media = media_path(r, name, "meta/task/name", media, allow)
    for i, track in enumerate(document.iter("track")):
        at = f"track {i}: "
        obj = _object(r, ontology, track.get("label"), at)
        instance = obj.create_instance()
        keys: dict[int, tuple[GeometricCoordinates | None, dict[str, str]]] = {}
        for j, element in enumerate(track):
            if element.tag not in _SHAPE_OF:
                continue
            k_at = f"{at}{element.tag} {j}: "
            frame = r.integer(_number(r, element, "frame", k_at), f"{k_at}frame", 0, frames - 1)
            outside = _skeleton_gone(element) if element.tag == "skeleton" else element.get("outside") == "1"
            coordinates = None if outside else _coordinates(r, element, obj.shape, width, height, k_at)
            keys[frame] = (coordinates, _apply_static(r, instance, element, k_at))
        ordered = sorted(keys.items())
        by_name = {a.name: a for a in obj.attributes}
        putter = _TrackPutter(space, instance)
        for (frame, (coordinates, dynamic)), following in zip(ordered, [*ordered[1:], None], strict=True):
            if coordinates is None:
                continue
            last = following[0] - 1 if following is not None else frames - 1
            target = following[1][0] if following is not None else None
            with r.at(f"{at}frame {frame}"):
                putter.segment(frame, last, coordinates, target, following[0] if following else last)
                for attribute_name, text in dynamic.items():
                    attribute = by_name[attribute_name]
                    value = _answer(r, attribute, text, f"{at}frame {frame}: attribute {attribute_name!r}")
                    putter.answer(attribute, value, frame, last)
        with r.at(at.rstrip(": ")):
            putter.finish()
    return row


def _parse_int(r: Reader, text: str | None, where: str) -> int:
    if text is None:
        raise r.fail(where, "missing.")
    return r.integer(_to_number(r, text, where), where)


@reading
def from_cvat(
    document: ET.Element,
    ontology: Ontology | None = None,
    *,
    source: str = "CVAT XML",
    media: Path | None = None,
    allow_outside_media: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Project:
    """A project from a CVAT XML document (for images: a row per image; for video: one row).

    Raises:
        FormatError: Naming the file, the element and the field of the first malformed value.
    """
    r = Reader(source, limits)
    if document.tag != "annotations":
        raise r.fail("", f"expected a CVAT <annotations> document, got <{document.tag[:30]}>.")
    ontology = ontology or _ontology_from_labels(r, document)
    project = Project(ontology)
    if (
        document.find("track") is not None
        or document.find("meta/task/original_size") is not None
        or (document.find("meta/original_size") is not None and document.find("image") is None)
    ):
        project.add_row(_load_video(r, document, ontology, Path(source).stem, media, allow_outside_media))
    else:
        for i, image in enumerate(document.iter("image")):
            project.add_row(_load_image(r, image, ontology, f"image {i}: ", media, allow_outside_media))
    return project


@reading
def load_cvat(
    path: str | os.PathLike[str],
    ontology: Ontology | None = None,
    *,
    media: str | os.PathLike[str] | None = None,
    allow_outside_media: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Project:
    """Read CVAT XML 1.1 (for images or for video) into a project."""
    source = Path(path)
    return from_cvat(
        read_xml(source, limits),
        ontology,
        source=str(source),
        media=Path(media) if media is not None else source.parent,
        allow_outside_media=allow_outside_media,
        limits=limits,
    )


def read_cvat(path: Path, o: ReadOptions) -> Project:
    """Read CVAT XML with the options ``labelspace.formats.load`` was given."""
    return load_cvat(path, o.ontology, **o.reading(path))


def write_cvat(project: Project, path: Path, o: WriteOptions) -> Counter[str]:
    """Write CVAT XML with the options ``labelspace.formats.save`` was given."""
    return save_cvat(project, path)
