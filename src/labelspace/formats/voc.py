"""Pascal VOC detection annotations <-> ``Project``.

A dataset folder holds ``Annotations/<name>.xml``, one per image (a video or volume frame is the
image ``<name>_<frame>``), each with the image's size and an ``<object>`` per box: its class
``<name>`` and ``<bndbox>`` corners in pixels, 1-based and inclusive as VOC's devkit counts them
(a box over the first 10 pixels is ``xmin=1, xmax=10``).

VOC holds boxes only: other shapes, classifications, attributes, dynamic answers and metadata are
dropped on export, and a ``DroppedLabelsWarning`` lists what and how much.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from labelspace.formats._common import frame_stem, warn_dropped
from labelspace.model.coordinates import BoundingBoxCoordinates
from labelspace.model.errors import LabelRowError, OntologyError
from labelspace.model.label_row import LabelRow
from labelspace.model.ontology import Object, Ontology, Shape
from labelspace.model.project import Project
from labelspace.model.spaces import MultiFrameSpace


def _element(parent: ET.Element, tag: str, text: object = None) -> ET.Element:
    child = ET.SubElement(parent, tag)
    if text is not None:
        child.text = str(text)
    return child


def save_voc(project: Project | LabelRow, folder: str | os.PathLike[str]) -> Counter[str]:
    """Write ``Annotations/*.xml``; return (and warn about) what VOC could not hold."""
    if isinstance(project, LabelRow):
        project = Project.of(project)
    out = Path(folder) / "Annotations"
    out.mkdir(parents=True, exist_ok=True)
    dropped: Counter[str] = Counter()
    for row in project.rows:
        for space in row.list_spaces():
            dropped["classification annotations"] += sum(1 for _ in space.get_annotations("classification"))
            if isinstance(space, MultiFrameSpace):
                dropped["dynamic answers"] += sum(len(t.dynamic) for t in space._objects.values())
            dropped["attribute answers"] += sum(len(o._answer_items()) for o in space.get_object_instances())
            frames = range(space.number_of_frames) if isinstance(space, MultiFrameSpace) else [0]
            for frame in frames:
                views = space.get_annotations_on_frame(frame)
                if isinstance(space, MultiFrameSpace) and not views:
                    continue
                root = ET.Element("annotation")
                name = frame_stem(space, frame)
                _element(root, "folder", "images")
                _element(root, "filename", f"{name}.jpg")
                if space.media:
                    _element(root, "path", space.media)
                size = _element(root, "size")
                _element(size, "width", space.width)
                _element(size, "height", space.height)
                _element(size, "depth", 3)
                _element(root, "segmented", 0)
                for view in views:
                    c = view.coordinates
                    if not isinstance(c, BoundingBoxCoordinates):
                        dropped[f"{view.object_instance.ontology_item.shape.value} annotations"] += 1
                        continue
                    x, y, w, h = c.to_pixels(space.width, space.height)
                    obj = _element(root, "object")
                    _element(obj, "name", view.object_instance.ontology_item.name)
                    _element(obj, "pose", "Unspecified")
                    _element(obj, "truncated", 0)
                    _element(obj, "difficult", 0)
                    box = _element(obj, "bndbox")
                    for tag, value in (("xmin", x + 1), ("ymin", y + 1), ("xmax", x + w), ("ymax", y + h)):
                        _element(box, tag, int(value) if float(value).is_integer() else repr(value))
                ET.indent(root)
                ET.ElementTree(root).write(out / f"{name}.xml", encoding="utf-8", xml_declaration=False)
    return warn_dropped("Pascal VOC", dropped)


def _number(node: ET.Element, path: str, where: str) -> float:
    text = node.findtext(path)
    try:
        return float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise LabelRowError(f"{where}{path}: expected a number, got {text!r:.30}.") from None


def load_voc(folder: str | os.PathLike[str], ontology: Ontology | None = None) -> Project:
    """Read ``Annotations/*.xml`` (or a folder of VOC XML files) into a project, one row per image.

    Raises:
        LabelRowError: Naming the file, the object and the field of the first malformed value.
    """
    root = Path(folder)
    annotations = root / "Annotations" if (root / "Annotations").is_dir() else root
    files = sorted(annotations.glob("*.xml"))
    if not files:
        raise LabelRowError(f"{annotations}: no VOC .xml files found.")
    parsed = []
    for file in files:
        try:
            document = ET.parse(file).getroot()
        except ET.ParseError as e:
            raise LabelRowError(f"{file}: not valid XML ({e}).") from None
        if document.tag != "annotation":
            raise LabelRowError(f"{file}: expected an <annotation> document, got <{document.tag}>.")
        parsed.append((file, document))
    names: list[str] = []
    for _, document in parsed:
        for obj in document.iter("object"):
            name = obj.findtext("name")
            if name and name not in names:
                names.append(name)
    if ontology is None:
        ontology = Ontology()
        for name in names:
            ontology.add_object(name, Shape.BOUNDING_BOX)
    project = Project(ontology)
    for file, document in parsed:
        where = f"{file}: "
        width, height = int(_number(document, "size/width", where)), int(_number(document, "size/height", where))
        row = LabelRow(ontology)
        try:
            space = row.add_image_space(file.stem, width, height)
        except LabelRowError as e:
            raise LabelRowError(f"{where}size: {e.message}") from None
        space.media = document.findtext("path") or document.findtext("filename") or None
        for i, obj in enumerate(document.iter("object")):
            at = f"{where}object {i}: "
            name = obj.findtext("name") or ""
            try:
                cls = ontology.get_child_by_title(name, Object)
            except OntologyError as e:
                raise LabelRowError(f"{at}name: {e.message}") from None
            xmin, ymin = _number(obj, "bndbox/xmin", at), _number(obj, "bndbox/ymin", at)
            xmax, ymax = _number(obj, "bndbox/xmax", at), _number(obj, "bndbox/ymax", at)
            try:
                box = BoundingBoxCoordinates.from_pixels(
                    (xmin - 1, ymin - 1, xmax - xmin + 1, ymax - ymin + 1), width, height
                )
                space.put_object_instance(cls.create_instance(), box)
            except LabelRowError as e:
                raise LabelRowError(f"{at}bndbox: {e.message}") from None
        project.add_row(row)
    return project
