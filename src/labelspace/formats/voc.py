"""Pascal VOC detection annotations <-> ``Project``.

A dataset folder holds ``Annotations/<name>.xml``, one per image (a video or volume frame is the
image ``<name>_<frame>``), each with the image's size and an ``<object>`` per box: its class
``<name>`` and ``<bndbox>`` corners in pixels, 1-based and inclusive as VOC's devkit counts them
(a box over the first 10 pixels is ``xmin=1, xmax=10``). Names never collide: a second image that
would take a taken name gets ``-2``, ``-3``, ...

VOC holds boxes only: other shapes, classifications, attributes, dynamic answers and annotation
metadata are dropped on export, and a ``DroppedLabelsWarning`` lists what and how much; VOC's own
``difficult``, ``truncated`` and ``occluded`` flags are listed when dropped on import.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from labelspace.formats._atomic import atomic_folder
from labelspace.formats._common import Reader, count_dropped_metadata, reading, warn_dropped
from labelspace.formats._options import ReadOptions, WriteOptions
from labelspace.formats._paths import UniqueNames, frame_stem, media_path
from labelspace.formats._reading import DEFAULT_LIMITS, Limits, read_xml, root_tag
from labelspace.model.coordinates import BoundingBoxCoordinates
from labelspace.model.label_row import LabelRow
from labelspace.model.ontology import Object, Ontology, Shape
from labelspace.model.project import Project
from labelspace.model.spaces import MultiFrameSpace

_FLAGS = ("difficult", "truncated", "occluded")


def is_voc(path: Path) -> bool:
    """Whether a path is a VOC folder (``Annotations/`` or ``*.xml`` of ``<annotation>``) or one VOC file."""
    if path.is_dir():
        folder = path / "Annotations" if (path / "Annotations").is_dir() else path
        first = next(iter(sorted(folder.glob("*.xml"))), None)
        return first is not None and root_tag(first) == "annotation"
    return path.suffix.lower() == ".xml" and root_tag(path) == "annotation"


def _element(parent: ET.Element, tag: str, text: object = None) -> ET.Element:
    child = ET.SubElement(parent, tag)
    if text is not None:
        child.text = str(text)
    return child


def to_voc(project: Project | LabelRow, dropped: Counter[str] | None = None) -> dict[str, ET.Element]:
    """VOC annotation documents by file stem: one per image, and one per frame that has boxes.

    Args:
        project: The project (or one row).
        dropped: Counts of what VOC cannot hold are added here.
    """
    if isinstance(project, LabelRow):
        project = Project.of(project)
    dropped = dropped if dropped is not None else Counter()
    documents: dict[str, ET.Element] = {}
    unique = UniqueNames()
    for row in project.rows:
        for space in row.list_spaces():
            dropped["classification annotations"] += sum(1 for _ in space.get_annotations("classification"))
            for instance in space.get_object_instances():
                dropped["attribute answers"] += len(instance.get_static_answers())
                if isinstance(space, MultiFrameSpace):
                    dropped["dynamic answers"] += len(space.get_dynamic_answer_runs(instance))
            frames = range(space.number_of_frames) if isinstance(space, MultiFrameSpace) else [0]
            for frame in frames:
                views = space.get_annotations_on_frame(frame)
                if isinstance(space, MultiFrameSpace) and not views:
                    continue
                name = unique(frame_stem(space, frame).replace("/", "_"))
                root = ET.Element("annotation")
                _element(root, "folder", "images")
                media = space.media
                _element(root, "filename", Path(media).name if media and frame == 0 else f"{name}.jpg")
                if media:
                    _element(root, "path", media)
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
                    count_dropped_metadata(dropped, view.metadata)
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
                documents[name] = root
    return documents


def save_voc(project: Project | LabelRow, folder: str | os.PathLike[str], replace: bool = False) -> Counter[str]:
    """Write ``Annotations/*.xml`` into a folder atomically; return (and warn about) what VOC could not hold.

    Args:
        project: The project (or one row).
        folder: The dataset folder: new or empty, or replaced whole with ``replace``.
        replace: Replace a non-empty folder whole.
    """
    dropped: Counter[str] = Counter()
    documents = to_voc(project, dropped)
    with atomic_folder(folder, replace) as root:
        (root / "Annotations").mkdir()
        for name, document in documents.items():
            ET.ElementTree(document).write(root / "Annotations" / f"{name}.xml", encoding="utf-8")
    return warn_dropped("Pascal VOC", dropped)


@reading
def from_voc(
    documents: dict[str, ET.Element],
    ontology: Ontology | None = None,
    *,
    source: str = "VOC",
    media: Path | None = None,
    allow_outside_media: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    dropped: Counter[str] | None = None,
) -> Project:
    """A project from VOC annotation documents by name, one row per document.

    Raises:
        FormatError: Naming the file, the object and the field of the first malformed value.
    """
    dropped = dropped if dropped is not None else Counter()
    names: list[str] = []
    for document in documents.values():
        for obj in document.iter("object"):
            name = (obj.findtext("name") or "").strip()
            if name and name not in names:
                names.append(name)
    if ontology is None:
        ontology = Ontology()
        for name in names:
            ontology.add_object(name, Shape.BOUNDING_BOX)
    project = Project(ontology)
    for file, document in documents.items():
        r = Reader(f"{source}/{file}.xml", limits)
        if document.tag != "annotation":
            raise r.fail("", f"expected an <annotation> document, got <{document.tag[:30]}>.")
        width, height = r.image_size(_text(document, "size/width"), _text(document, "size/height"), "size/")
        row = LabelRow(ontology)
        space = row.add_image_space(file, width, height)
        reference = document.findtext("path") or document.findtext("filename")
        if reference:
            space.media = media_path(r, reference, "path", media, allow_outside_media)
        for i, obj in enumerate(document.iter("object")):
            at = f"object {i}"
            with r.at(f"{at}: name"):
                cls = ontology.get_child_by_title((obj.findtext("name") or "").strip(), Object)
            xmin, ymin, xmax, ymax = (
                r.number(_text(obj, f"bndbox/{k}"), f"{at}: bndbox/{k}") for k in ("xmin", "ymin", "xmax", "ymax")
            )
            if xmax < xmin or ymax < ymin:
                raise r.fail(f"{at}: bndbox", f"xmax ({xmax:g}) or ymax ({ymax:g}) is before xmin or ymin.")
            with r.at(f"{at}: bndbox"):
                box = BoundingBoxCoordinates.from_pixels(
                    (xmin - 1, ymin - 1, xmax - xmin + 1, ymax - ymin + 1), width, height
                )
                space.put_object_instance(cls.create_instance(), box)
            for flag in _FLAGS:
                if (obj.findtext(flag) or "0").strip() not in ("0", ""):
                    dropped[f"'{flag}' flags"] += 1
        project.add_row(row)
    return project


def _text(element: ET.Element, path: str) -> object:
    """The text at ``path`` as a number when it reads as one (VOC writes sizes like 500 or 500.0)."""
    text = element.findtext(path)
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return text


@reading
def load_voc(
    folder: str | os.PathLike[str],
    ontology: Ontology | None = None,
    *,
    media: str | os.PathLike[str] | None = None,
    allow_outside_media: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Project:
    """Read ``Annotations/*.xml`` (or a folder of VOC XML files, or one file) into a project, one row per image.

    Raises:
        FormatError: Naming the file, the object and the field of the first malformed value.
    """
    root = Path(folder)
    if root.is_file():
        files, base = [root], root.parent
    else:
        base = root
        annotations = root / "Annotations" if (root / "Annotations").is_dir() else root
        files = sorted(annotations.glob("*.xml"))
        if not files:
            raise Reader(str(annotations), limits).fail("", "no VOC .xml files found.")
    documents = {file.stem: read_xml(file, limits) for file in files}
    dropped: Counter[str] = Counter()
    project = from_voc(
        documents,
        ontology,
        source=str(files[0].parent),
        media=Path(media) if media is not None else base,
        allow_outside_media=allow_outside_media,
        limits=limits,
        dropped=dropped,
    )
    warn_dropped("Pascal VOC", dropped, importing=True)
    return project


def read_voc(path: Path, o: ReadOptions) -> Project:
    """Read VOC with the options ``labelspace.formats.load`` was given."""
    return load_voc(path, o.ontology, media=o.media, allow_outside_media=o.allow_outside_media, limits=o.limits)


def write_voc(project: Project, path: Path, o: WriteOptions) -> Counter[str]:
    """Write VOC with the options ``labelspace.formats.save`` was given."""
    return save_voc(project, path, replace=o.overwrite)
