"""CVAT XML 1.1, for images and for video <-> ``Project``.

*For images*: an ``<image>`` per image space with its ``<box>``, ``<polygon>``, ``<polyline>``,
``<points>``, ``<mask>`` and ``<tag>`` elements. *For video*: one video (or volume) with a ``<track>`` per object
instance: shapes at keyframes, ``outside="1"`` where the object leaves, and CVAT's linear
interpolation in between. Export puts a keyframe at every boundary of the object's runs and of its
dynamic answers, so interpolation gives back every frame exactly; import interpolates boxes, and
points of shapes whose point counts agree (others hold until the next keyframe).

Attributes are written by name: static ones on every shape, dynamic ones as CVAT's mutable
attributes. Rotated boxes are boxes with CVAT's ``rotation`` (degrees clockwise about the centre,
as labelspace's ``theta``). Masks go as CVAT writes them: the box around the mask's pixels (``left``, ``top``,
``width``, ``height``) and run lengths over that box's rows, starting with a run of 0s. CVAT has
no place for skeleton names or annotation metadata: those are dropped with a ``DroppedLabelsWarning``.

Skeletons are a ``<skeleton>`` of named ``<points>``, the node names declared as sub-labels
(``<parent>``) of the skeleton's label. A node's ``outside="1"`` reads as invisible and
``occluded="1"`` as occluded; CVAT cannot tell a node said to be visible from one not said, so
those read back as not said.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from labelspace.formats._common import mask_from_row_runs, row_runs, warn_dropped
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
from labelspace.model.errors import LabelRowError, OntologyError
from labelspace.model.frames import merge_runs
from labelspace.model.instances import ObjectInstance, check_answer
from labelspace.model.label_row import LabelRow
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
)
from labelspace.model.project import Project
from labelspace.model.spaces import ImageSpace, MultiFrameSpace, Space

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


def _geometry(c: GeometricCoordinates, w: int, h: int, dropped: Counter[str]) -> dict[str, str] | None:
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
    if isinstance(c, SkeletonCoordinates):
        if c.name:
            dropped["skeleton names"] += 1
        dropped["skeleton nodes said to be visible (CVAT reads them as not said)"] += sum(
            n.visibility == "visible" for n in c.values
        )
        return {}  # the nodes are child elements
    return None


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


def _mask_geometry(mask: Any) -> dict[str, str]:
    rows, cols = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
    if rows.size == 0:  # an empty mask: one background pixel in the corner
        top = left = 0
        patch = mask[:1, :1]
    else:
        top, left = int(rows[0]), int(cols[0])
        patch = mask[top : int(rows[-1]) + 1, left : int(cols[-1]) + 1]
    return {
        "rle": ", ".join(map(str, row_runs(patch).tolist())),
        "left": str(left),
        "top": str(top),
        "width": str(patch.shape[1]),
        "height": str(patch.shape[0]),
    }


def _skeleton(element: ET.Element, w: int, h: int, where: str) -> SkeletonCoordinates:
    nodes = []
    for k, node in enumerate(element.findall("points")):
        at = f"{where}points {k}: "
        points = _floats(node.get("points"), at)
        if len(points) != 1:
            raise LabelRowError(f"{at}points: a skeleton node holds one point, got {len(points)}.")
        visibility = "invisible" if node.get("outside") == "1" else "occluded" if node.get("occluded") == "1" else None
        x, y = points[0]
        try:
            nodes.append(SkeletonCoordinate(x / w, y / h, node.get("label") or "", visibility))  # type: ignore[arg-type]
        except LabelRowError as e:
            raise LabelRowError(f"{at}{e.message}") from None
    return SkeletonCoordinates(nodes)


def _skeleton_gone(element: ET.Element) -> bool:
    """A skeleton in a track is outside when it says so, or (as CVAT writes it) when all its nodes are."""
    if element.get("outside") is not None:
        return element.get("outside") == "1"
    nodes = element.findall("points")
    return bool(nodes) and all(n.get("outside") == "1" for n in nodes)


def _mask(element: ET.Element, w: int, h: int, where: str) -> BitmaskCoordinates:
    left, top = int(_number(element, "left", where)), int(_number(element, "top", where))
    width, height = int(_number(element, "width", where)), int(_number(element, "height", where))
    if left < 0 or top < 0 or width < 1 or height < 1 or left + width > w or top + height > h:
        raise LabelRowError(
            f"{where}left, top, width, height: a {width} x {height} mask at ({left}, {top}) does not fit the "
            f"{w} x {h} image."
        )
    try:
        counts = [int(v) for v in (element.get("rle") or "").split(",") if v.strip()]
    except ValueError:
        raise LabelRowError(f"{where}rle: expected whole numbers separated by commas.") from None
    if any(n < 0 for n in counts) or sum(counts) != width * height:
        raise LabelRowError(
            f"{where}rle: the run lengths add up to {sum(counts)}; a {width} x {height} mask needs {width * height}."
        )
    return mask_from_row_runs(counts, (top, left, height, width), (h, w))


def _labels(meta: ET.Element, ontology: Ontology, spaces: list[Space]) -> None:
    labels = _e(meta, "labels")
    elements: list[Object | Classification] = [*ontology.objects, *ontology.classifications]
    nodes = _node_names(spaces)
    for element in elements:
        label = _e(labels, "label")
        _e(label, "name", element.name if isinstance(element, Object) else element.title)
        kind = _TAG_OF.get(element.shape, "any") if isinstance(element, Object) else "tag"
        _e(label, "type", "rectangle" if kind == "box" else kind)
        attributes = _e(label, "attributes")
        for attribute in element.attributes:  # a classification's one root attribute describes its tag
            _attribute_spec(attributes, attribute)
    for element in ontology.objects:
        for node in nodes.get(element.feature_node_hash, {}):
            label = _e(labels, "label")
            _e(label, "name", node)
            _e(label, "type", "points")
            _e(label, "attributes")
            _e(label, "parent", element.name)


def _node_names(spaces: list[Space]) -> dict[str, dict[str, None]]:
    """Each skeleton object's node names, in the order first seen."""
    names: dict[str, dict[str, None]] = {}
    for space in spaces:
        skeletons = [o.object_hash for o in space.get_object_instances() if o.ontology_item.shape is Shape.SKELETON]
        if not skeletons:
            continue
        for view in space.get_annotations(filter_instance_hashes=skeletons):
            seen = names.setdefault(view.object_instance.ontology_item.feature_node_hash, {})
            seen.update(dict.fromkeys(n.name for n in view.coordinates.values))
    return names


def _attribute_spec(parent: ET.Element, attribute: Attribute) -> None:
    spec = _e(parent, "attribute")
    _e(spec, "name", attribute.name)
    _e(spec, "mutable", "True" if attribute.dynamic else "False")
    _e(spec, "input_type", _INPUT_TYPE[attribute.kind])
    _e(spec, "default_value", attribute.options[0].label if attribute.options else "")
    _e(spec, "values", "\n".join(o.label for o in attribute.options))


def save_cvat(project: Project | LabelRow, path: str | os.PathLike[str]) -> Counter[str]:
    """Write CVAT XML: *for video* when the project is one video or volume, *for images* when all are images.

    Raises:
        LabelRowError: If the project mixes images and videos or holds several videos (export rows separately).
    """
    if isinstance(project, LabelRow):
        project = Project.of(project)
    spaces = [s for row in project.rows for s in row.list_spaces()]
    videos = [s for s in spaces if isinstance(s, MultiFrameSpace)]
    if videos and len(spaces) != 1:
        raise LabelRowError(
            f"CVAT XML holds one video, or images only; this project has {len(videos)} video(s) among {len(spaces)} "
            f"spaces. Export each video's row on its own."
        )
    dropped: Counter[str] = Counter()
    root = _e(ET.Element("x"), "annotations")
    _e(root, "version", "1.1")
    meta = _e(root, "meta")
    task = _e(meta, "task")
    if videos:
        video = videos[0]
        _e(task, "size", video.number_of_frames)
        _e(task, "mode", "interpolation")
        size = _e(task, "original_size")
        _e(size, "width", video.width)
        _e(size, "height", video.height)
        if video.media:
            _e(task, "name", video.media)
        _labels(task, project.ontology, spaces)
        _write_tracks(root, video, dropped)
    else:
        _e(task, "size", len(spaces))
        _e(task, "mode", "annotation")
        _labels(task, project.ontology, spaces)
        for i, space in enumerate(spaces):
            assert isinstance(space, ImageSpace)
            image = _e(root, "image", id=i, name=space.media or space.space_id, width=space.width, height=space.height)
            for view in space.get_annotations():
                shape = _shape_element(image, view.object_instance, view.coordinates, space, dropped, {})
                if shape is not None:
                    shape.set("occluded", "0")
                    shape.set("z_order", "0")
            for cview in space.get_annotations("classification"):
                tag = _e(image, "tag", label=cview.classification_instance.ontology_item.title, source="manual")
                for attribute, value in cview.classification_instance._answer_items():
                    _e(tag, "attribute", _answer_text(value), name=attribute.name)
    dropped["annotation metadata"] += sum(1 for s in spaces for _ in s.get_annotations())
    ET.indent(root)
    ET.ElementTree(root).write(Path(path), encoding="utf-8", xml_declaration=True)
    return warn_dropped("CVAT XML", dropped)


def _shape_element(
    parent: ET.Element,
    instance: ObjectInstance,
    c: GeometricCoordinates,
    space: Space,
    dropped: Counter[str],
    dynamic: dict[str, Any],
    **attrs: object,
) -> ET.Element | None:
    geometry = _geometry(c, space.width, space.height, dropped)
    shape = instance.ontology_item.shape
    if geometry is None:
        dropped[f"{shape.value} annotations"] += 1
        return None
    element = _e(
        parent,
        _TAG_OF[shape],
        **({"label": instance.ontology_item.name} if parent.tag != "track" else {}),
        **attrs,
        **geometry,
    )
    if isinstance(c, SkeletonCoordinates):
        _skeleton_nodes(element, c, space.width, space.height, parent.tag == "track")
    for attribute, value in instance._answer_items():
        _e(element, "attribute", _answer_text(value), name=attribute.name)
    for name, value in dynamic.items():
        _e(element, "attribute", _answer_text(value), name=name)
    return element


def _write_tracks(root: ET.Element, video: MultiFrameSpace, dropped: Counter[str]) -> None:
    n = video.number_of_frames
    for track_id, instance in enumerate(video.get_object_instances()):
        track = _e(root, "track", id=track_id, label=instance.ontology_item.name, source="manual")
        runs = video._objects[instance.object_hash].runs
        starts, ends = runs.np_starts(), runs.np_ends()
        present_s, present_e = merge_runs(starts, ends)
        cuts = set(starts.tolist()) | set(ends.tolist())
        for answers in video._objects[instance.object_hash].dynamic.values():
            cuts |= set(answers.runs.np_starts().tolist()) | set(answers.runs.np_ends().tolist())
            cuts |= {e + 1 for e in answers.runs.np_ends().tolist()} | {
                s - 1 for s in answers.runs.np_starts().tolist()
            }
        cuts |= {s - 1 for s in starts.tolist()} | {e + 1 for e in ends.tolist()}
        candidates = np.array(sorted(cuts), np.int64)
        at = np.searchsorted(present_e, candidates)  # the run that could hold each candidate frame
        inside = at < present_s.size
        inside[inside] &= present_s[at[inside]] <= candidates[inside]
        frames_on = candidates[inside].tolist()
        for frame in frames_on:
            [view] = [v for v in video.get_annotations_on_frame(frame) if v.object_hash == instance.object_hash]
            dynamic = {}
            for answers in video._objects[instance.object_hash].dynamic.values():
                run = answers.runs.find(frame)
                if run >= 0:
                    dynamic[answers.attribute.name] = answers.answers[answers.runs.tags[run]]
            _shape_element(
                track,
                instance,
                view.coordinates,
                video,
                dropped,
                dynamic,
                frame=frame,
                outside=0,
                occluded=0,
                keyframe=1,
                z_order=0,
            )
        for end in present_e.tolist():
            if end + 1 < n:
                [view] = [v for v in video.get_annotations_on_frame(end) if v.object_hash == instance.object_hash]
                _shape_element(
                    track,
                    instance,
                    view.coordinates,
                    video,
                    Counter(),
                    {},
                    frame=end + 1,
                    outside=1,
                    occluded=0,
                    keyframe=1,
                    z_order=0,
                )
        track[:] = sorted(track, key=lambda e: int(e.get("frame", 0)))
    dropped["classification annotations"] += sum(1 for _ in video.get_annotations("classification"))


# --- import ---------------------------------------------------------------------------------------


def _floats(text: str | None, where: str) -> list[tuple[float, float]]:
    try:
        return [(float(a), float(b)) for a, b in (p.split(",") for p in (text or "").split(";") if p)]
    except ValueError:
        raise LabelRowError(f"{where}points: expected 'x,y;x,y;...', got {text!r:.40}.") from None


def _number(element: ET.Element, key: str, where: str) -> float:
    try:
        return float(element.get(key))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise LabelRowError(f"{where}{key}: expected a number, got {element.get(key)!r:.30}.") from None


def _coordinates(element: ET.Element, shape: Shape, w: int, h: int, where: str) -> GeometricCoordinates:
    try:
        if element.tag == "mask":
            return _mask(element, w, h, where)
        if element.tag == "skeleton":
            return _skeleton(element, w, h, where)
        if element.tag == "box":
            xtl, ytl = _number(element, "xtl", where), _number(element, "ytl", where)
            xbr, ybr = _number(element, "xbr", where), _number(element, "ybr", where)
            rotation = _number(element, "rotation", where) if element.get("rotation") is not None else 0.0
            if shape is Shape.ROTATABLE_BOUNDING_BOX:
                return RotatableBoundingBoxCoordinates.from_pixels((xtl, ytl, xbr - xtl, ybr - ytl, rotation), w, h)
            if rotation % 360:
                raise LabelRowError(
                    f"{where}rotation: the box is rotated by {rotation:g} degrees but its object is a plain bounding "
                    "box in the ontology; make it a rotatable bounding box to keep the angle."
                )
            return BoundingBoxCoordinates.from_pixels((xtl, ytl, xbr - xtl, ybr - ytl), w, h)
        points = _floats(element.get("points"), where)
        if element.tag == "polygon":
            return PolygonCoordinates.from_pixels([[points]], w, h)
        if element.tag == "polyline":
            return PolylineCoordinates.from_pixels(points, w, h)
        if len(points) != 1:
            raise LabelRowError(f"{where}points: a point object holds one point, got {len(points)}.")
        return PointCoordinate.from_pixels(points[0], w, h)
    except LabelRowError as e:
        raise LabelRowError(e.message if e.message.startswith(where) else f"{where}{e.message}") from None


def _answer(attribute: Attribute, text: str) -> Any:
    if isinstance(attribute, RadioAttribute):
        return next(o for o in attribute.options if o.label == text)
    if isinstance(attribute, ChecklistAttribute):
        chosen = {t for t in text.split(",") if t}
        return [o for o in attribute.options if o.label in chosen]
    if isinstance(attribute, NumericAttribute):
        return float(text) if "." in text or "e" in text.lower() else int(text)
    return text


def _ontology_from_labels(document: ET.Element, where: str) -> Ontology:
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
    for label in document.iter("label"):
        if label.findtext("parent"):
            continue  # a skeleton's node
        name = label.findtext("name") or ""
        kind = label.findtext("type") or shapes.get(name, "")
        specs = list(label.iter("attribute"))
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
        raise LabelRowError(f"{where}meta: no <label> definitions found.")
    return ontology


def _add_attribute_from_spec(owner: Object | Classification, spec: ET.Element | None, name: str | None) -> None:
    """Add the attribute a CVAT <attribute> spec describes (a text attribute called ``name`` without one)."""
    if spec is None:
        owner.add_attribute(TextAttribute, name or "value")
        return
    input_type = spec.findtext("input_type") or "text"
    cls = {
        "select": RadioAttribute,
        "radio": RadioAttribute,
        "checkbox": ChecklistAttribute,
        "number": NumericAttribute,
    }.get(input_type, TextAttribute)
    dynamic = spec.findtext("mutable") == "True" and isinstance(owner, Object)
    attribute = owner.add_attribute(cls, spec.findtext("name") or name or "value", dynamic=dynamic)
    if isinstance(attribute, (RadioAttribute, ChecklistAttribute)):
        for value in (spec.findtext("values") or "").split("\n"):
            if value:
                attribute.add_option(value)


def load_cvat(path: str | os.PathLike[str], ontology: Ontology | None = None) -> Project:
    """Read CVAT XML 1.1 (for images or for video) into a project.

    Raises:
        LabelRowError: Naming the file, the element and the field of the first malformed value.
    """
    source = Path(path)
    try:
        document = ET.parse(source).getroot()
    except ET.ParseError as e:
        raise LabelRowError(f"{source}: not valid XML ({e}).") from None
    except FileNotFoundError:
        raise
    if document.tag != "annotations":
        raise LabelRowError(f"{source}: expected a CVAT <annotations> document, got <{document.tag}>.")
    where = f"{source}: "
    ontology = ontology or _ontology_from_labels(document, where)
    project = Project(ontology)
    try:
        if document.find("track") is not None or document.find("meta/task/original_size") is not None:
            project.add_row(_load_video(document, ontology, source, where))
        else:
            for i, image in enumerate(document.iter("image")):
                project.add_row(_load_image(image, ontology, f"{where}image {i}: "))
    except OntologyError as e:
        raise LabelRowError(f"{where}{e.message}") from None
    return project


def _object(ontology: Ontology, name: str | None, where: str) -> Object:
    try:
        return ontology.get_child_by_title(name or "", Object)
    except OntologyError as e:
        raise LabelRowError(f"{where}label: {e.message}") from None


def _apply_static(instance: ObjectInstance, element: ET.Element, where: str) -> dict[str, str]:
    """Set static answers from a shape's <attribute>s; return the dynamic ones by name."""
    dynamic: dict[str, str] = {}
    by_name = {a.name: a for a in instance.ontology_item.attributes}
    for child in element.findall("attribute"):
        attribute = by_name.get(child.get("name", ""))
        if attribute is None:
            raise LabelRowError(
                f"{where}attribute {child.get('name')!r} is not an attribute of {instance.ontology_item.name!r}."
            )
        if attribute.dynamic:
            dynamic[attribute.name] = child.text or ""
        elif attribute.feature_node_hash not in instance._answers:
            try:
                instance._answers[attribute.feature_node_hash] = check_answer(
                    attribute, _answer(attribute, child.text or "")
                )
            except (StopIteration, ValueError) as e:
                raise LabelRowError(
                    f"{where}attribute {attribute.name!r}: {child.text!r} is not a valid answer ({e})."
                ) from None
    return dynamic


def _load_image(image: ET.Element, ontology: Ontology, where: str) -> LabelRow:
    width, height = int(_number(image, "width", where)), int(_number(image, "height", where))
    row = LabelRow(ontology)
    name = image.get("name") or where
    space = row.add_image_space(name, width, height)
    space.media = image.get("name")
    for j, element in enumerate(e for e in image if e.tag in _SHAPE_OF):
        at = f"{where}{element.tag} {j}: "
        obj = _object(ontology, element.get("label"), at)
        instance = obj.create_instance()
        _apply_static(instance, element, at)
        space.put_object_instance(instance, _coordinates(element, obj.shape, width, height, at))
    for tag in image.findall("tag"):
        classification = ontology.get_child_by_title(tag.get("label", ""), Classification)
        tag_instance = classification.create_instance()
        for child in tag.findall("attribute"):
            attribute = next((a for a in classification.attributes if a.name == child.get("name")), None)
            if attribute is not None:
                tag_instance._answers[attribute.feature_node_hash] = check_answer(
                    attribute, _answer(attribute, child.text or "")
                )
        space.put_classification_instance(tag_instance)
    return row


def _interpolate(a: GeometricCoordinates, b: GeometricCoordinates, t: float) -> GeometricCoordinates:
    if isinstance(a, BoundingBoxCoordinates) and isinstance(b, BoundingBoxCoordinates):

        def mix(u: float, v: float) -> float:
            return u + (v - u) * t

        return BoundingBoxCoordinates(
            mix(a.height, b.height),
            mix(a.width, b.width),
            mix(a.top_left_x, b.top_left_x),
            mix(a.top_left_y, b.top_left_y),
        )
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
    if isinstance(a, RotatableBoundingBoxCoordinates) and isinstance(b, RotatableBoundingBoxCoordinates):
        fields = ("height", "width", "top_left_x", "top_left_y", "theta")
        return RotatableBoundingBoxCoordinates(*(getattr(a, f) + (getattr(b, f) - getattr(a, f)) * t for f in fields))
    points_a = getattr(a, "values", None)
    points_b = getattr(b, "values", None)
    if points_a is not None and points_b is not None and len(points_a) == len(points_b) and a != b:
        mixed = [
            PointCoordinate(p.x + (q.x - p.x) * t, p.y + (q.y - p.y) * t)
            for p, q in zip(points_a, points_b, strict=True)
        ]
        return type(a)(values=mixed) if isinstance(a, PolygonCoordinates) else PolylineCoordinates(mixed)
    return a


def _load_video(document: ET.Element, ontology: Ontology, source: Path, where: str) -> LabelRow:
    task = document.find("meta/task")
    if task is None:
        raise LabelRowError(f"{where}meta/task: missing; CVAT for video describes its video there.")
    try:
        frames = int(task.findtext("size") or "")
        width = int(task.findtext("original_size/width") or "")
        height = int(task.findtext("original_size/height") or "")
    except ValueError:
        raise LabelRowError(f"{where}meta/task: size and original_size/width, height must be whole numbers.") from None
    row = LabelRow(ontology)
    space = row.add_video_space(task.findtext("name") or source.stem, frames, width, height)
    space.media = task.findtext("name")
    for i, track in enumerate(document.iter("track")):
        at = f"{where}track {i}: "
        obj = _object(ontology, track.get("label"), at)
        instance = obj.create_instance()
        keys = []
        for j, element in enumerate(track):
            if element.tag not in _SHAPE_OF:
                continue
            k_at = f"{at}{element.tag} {j}: "
            frame = int(_number(element, "frame", k_at))
            if not 0 <= frame < frames:
                raise LabelRowError(f"{k_at}frame: {frame} is outside the video's 0..{frames - 1}.")
            outside = _skeleton_gone(element) if element.tag == "skeleton" else element.get("outside") == "1"
            coordinates = None if outside else _coordinates(element, obj.shape, width, height, k_at)
            dynamic = _apply_static(instance, element, k_at)
            keys.append((frame, coordinates, dynamic))
        keys.sort(key=lambda k: k[0])
        by_name = {a.name: a for a in obj.attributes}
        for (frame, coordinates, dynamic), following in zip(keys, [*keys[1:], None], strict=True):
            if coordinates is None:
                continue
            last = following[0] - 1 if following is not None else frames - 1
            for f in range(frame, last + 1):
                c = coordinates
                if following is not None and following[1] is not None and f > frame:
                    c = _interpolate(coordinates, following[1], (f - frame) / (following[0] - frame))
                space.put_object_instance(instance, f, c)
            for name, text in dynamic.items():
                attribute = by_name[name]
                space.set_dynamic_answer(instance, list(range(frame, last + 1)), _answer(attribute, text), attribute)
    return row
