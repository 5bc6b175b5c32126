"""YOLO detection and segmentation datasets <-> ``Project``.

A dataset is a folder: ``data.yaml`` naming the classes, ``labels/<name>.txt`` per image with a
line per object, ``class cx cy w h`` (a box) or ``class x1 y1 x2 y2 ...`` (a polygon), all
normalised to the image, beside ``images/<name>.<ext>``. An image's label file sits at its media
path with ``images/`` swapped for ``labels/`` (``images/train/a.jpg`` -> ``labels/train/a.txt``);
a video or volume frame is the image ``<name>_<frame>``. Names never collide: a second image that
would take a taken name gets ``-2``, ``-3``, ... A prediction line (``class cx cy w h confidence``)
imports with its confidence as a prediction.

YOLO holds boxes and polygons only: classifications, attributes, dynamic answers, annotation
metadata, rotated boxes' angles, polylines, points, skeletons and masks are dropped on export,
and a warning lists what was dropped and how much. Images are not written; import reads each
image's size from its header in ``images/`` (or the media folder given).
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path, PurePosixPath
from typing import Any

from labelspace.formats._atomic import atomic_folder
from labelspace.formats._common import Reader, count_dropped_metadata, reading, warn_dropped
from labelspace.formats._options import ReadOptions, WriteOptions
from labelspace.formats._paths import UniqueNames, frame_stem, media_path
from labelspace.formats._reading import DEFAULT_LIMITS, Limits, read_text
from labelspace.media.base import IMAGE_SUFFIXES
from labelspace.model.coordinates import (
    BoundingBoxCoordinates,
    GeometricCoordinates,
    PointCoordinate,
    PolygonCoordinates,
)
from labelspace.model.label_row import LabelRow
from labelspace.model.ontology import Object, Ontology, Shape
from labelspace.model.project import Project
from labelspace.model.spaces import MultiFrameSpace


def is_yolo(path: Path) -> bool:
    """Whether a path is a YOLO dataset folder (or its ``data.yaml``)."""
    return path.name == "data.yaml" or (path.is_dir() and (path / "data.yaml").is_file())


def _number(v: float) -> str:
    return repr(float(v))


def _label_path(stem: str) -> str:
    """Where an image's label file goes: its path under ``images/`` moved to ``labels/``."""
    parts = PurePosixPath(stem).parts
    if parts and parts[0] == "images":
        parts = parts[1:]
    return "labels/" + "/".join(parts or ("image",)) + ".txt"


def to_yolo(project: Project | LabelRow, dropped: Counter[str] | None = None) -> dict[str, str]:
    """A YOLO dataset as ``{relative path: text}``: ``data.yaml`` and a label file per image or labelled frame.

    Args:
        project: The project (or one row).
        dropped: Counts of what YOLO cannot hold are added here.
    """
    import yaml

    if isinstance(project, LabelRow):
        project = Project.of(project)
    dropped = dropped if dropped is not None else Counter()
    names = [o.name for o in project.ontology.objects]
    index = {o.feature_node_hash: i for i, o in enumerate(project.ontology.objects)}
    files: dict[str, str] = {}
    unique = UniqueNames()
    for row in project.rows:
        for space in row.list_spaces():
            dropped["classification annotations"] += sum(1 for _ in space.get_annotations("classification"))
            for instance in space.get_object_instances():
                dropped["attribute answers"] += len(instance.get_static_answers())
                if isinstance(space, MultiFrameSpace):
                    dropped["dynamic answers"] += len(space.get_dynamic_answer_runs(instance))
            lines: dict[int, list[str]] = {}
            for view in space.get_annotations("object"):
                c = view.coordinates
                label = index[view.object_instance.feature_hash]
                if isinstance(c, BoundingBoxCoordinates):
                    values = [c.top_left_x + c.width / 2, c.top_left_y + c.height / 2, c.width, c.height]
                elif isinstance(c, PolygonCoordinates):
                    dropped["polygon holes"] += sum(len(part) - 1 for part in c.polygons)
                    dropped["polygon parts after the first"] += len(c.polygons) - 1
                    values = [v for p in c.polygons[0][0] for v in (p.x, p.y)]
                else:
                    dropped[f"{view.object_instance.ontology_item.shape.value} annotations"] += 1
                    continue
                count_dropped_metadata(dropped, view.metadata)
                lines.setdefault(view.frame, []).append(" ".join([str(label), *map(_number, values)]))
            frames = range(space.number_of_frames) if isinstance(space, MultiFrameSpace) else [0]
            for frame in frames:
                if frame in lines or not isinstance(space, MultiFrameSpace):
                    text = "\n".join(lines.get(frame, []))
                    files[_label_path(unique(frame_stem(space, frame)))] = text + ("\n" if text else "")
    files["data.yaml"] = yaml.safe_dump(
        {"path": ".", "train": "images", "val": "images", "nc": len(names), "names": names}, sort_keys=False
    )
    return files


def save_yolo(project: Project | LabelRow, folder: str | os.PathLike[str], replace: bool = False) -> Counter[str]:
    """Write a YOLO dataset folder atomically; return (and warn about) what was dropped.

    Args:
        project: The project (or one row).
        folder: The dataset folder: new or empty, or replaced whole with ``replace``.
        replace: Replace a non-empty folder whole.
    """
    dropped: Counter[str] = Counter()
    files = to_yolo(project, dropped)
    with atomic_folder(folder, replace) as root:
        for relative, text in files.items():
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
    return warn_dropped("YOLO", dropped)


def _class_names(r: Reader, text: str) -> list[str]:
    import yaml

    try:
        config = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise r.fail("", f"not valid YAML ({str(e)[:100]}).") from None
    names = config.get("names") if isinstance(config, dict) else None
    if isinstance(names, dict):
        if not all(isinstance(k, int) and not isinstance(k, bool) for k in names) or sorted(names) != list(
            range(len(names))
        ):
            raise r.fail("names", "expected class indexes 0, 1, 2, ... as the keys of names.")
        names = [names[k] for k in sorted(names)]
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise r.fail("names", "expected a list (or index map) of class names.")
    return names


Parsed = list[tuple[str, list[tuple[int, list[float], int]]]]
"""Label files as ``(name, [(class, values, line number), ...])``."""


def _parse_labels(names: list[str], labels: dict[str, str], source: str, limits: Limits) -> Parsed:
    parsed: Parsed = []
    for name, text in labels.items():
        r = Reader(f"{source}/labels/{name}", limits)
        entries = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.split()
            label = _parse(r, parts[0], f"line {n}")
            if not float(label).is_integer() or not 0 <= label < len(names):
                raise r.fail(f"line {n}", f"class {parts[0][:20]} is not in data.yaml's {len(names)} names.")
            values = [r.number(_parse(r, v, f"line {n}"), f"line {n}: value {k + 2}") for k, v in enumerate(parts[1:])]
            for k, v in enumerate(values[:4] if len(values) == 5 else values):
                if not -1e-6 <= v <= 1.0 + 1e-6:
                    raise r.fail(
                        f"line {n}: value {k + 2}", f"{v!r} is outside 0..1; YOLO labels are normalised to the image."
                    )
            if len(values) not in (4, 5) and (len(values) < 6 or len(values) % 2):
                raise r.fail(
                    f"line {n}",
                    f"expected 4 numbers (a box), 5 (a box and its confidence) or 6+ in pairs (a polygon), "
                    f"got {len(values)}.",
                )
            entries.append((int(label), values, n))
        parsed.append((name, entries))
    return parsed


def _build(
    names: list[str],
    parsed: Parsed,
    sizes: dict[str, tuple[str, int, int]],
    ontology: Ontology | None,
    source: str,
    limits: Limits,
) -> Project:
    if ontology is None:
        polygon_classes = {label for _, entries in parsed for label, values, _ in entries if len(values) >= 6}
        ontology = Ontology()
        for i, name in enumerate(names):
            ontology.add_object(name, Shape.POLYGON if i in polygon_classes else Shape.BOUNDING_BOX)
    r = Reader(f"{source}/data.yaml", limits)
    with r.at("names"):
        objects = [ontology.get_child_by_title(name, Object) for name in names]
    project = Project(ontology)
    for name, entries in parsed:
        r = Reader(f"{source}/labels/{name}", limits)
        media, width, height = sizes[name]
        row = LabelRow(ontology)
        space = row.add_image_space(str(PurePosixPath(name).with_suffix("")), width, height)
        space.media = media
        for label, values, n in entries:
            with r.at(f"line {n}"):
                obj = objects[label]
                meta: dict[str, Any] = {}
                if len(values) == 5:
                    meta = {"confidence": r.number(values[4], f"line {n}: confidence", 0.0, 1.0)}
                    meta["manual_annotation"] = False
                space.put_object_instance(
                    obj.create_instance(), _coordinates(r, obj, values[:4] if meta else values, n), **meta
                )
        project.add_row(row)
    return project


@reading
def from_yolo(
    names: list[str],
    labels: dict[str, str],
    sizes: dict[str, tuple[str, int, int]],
    ontology: Ontology | None = None,
    *,
    source: str = "YOLO",
    limits: Limits = DEFAULT_LIMITS,
) -> Project:
    """A project from a YOLO dataset's class names and label files.

    Args:
        names: The classes, in index order.
        labels: ``{label file path relative to labels/: text}``.
        sizes: ``{label file path: (media path, width, height)}`` of each label file's image.
        ontology: The ontology to read with (objects named as the classes); built from the
            classes (polygon where a class has polygons, else box) when None.
        source: Named in error messages.
        limits: Sizes the files may declare.

    Raises:
        FormatError: Naming the file, the line and the value of the first malformed label.
    """
    return _build(names, _parse_labels(names, labels, source, limits), sizes, ontology, source, limits)


def _parse(r: Reader, token: str, where: str) -> float:
    try:
        value = float(token)
    except ValueError:
        raise r.fail(where, f"expected a number, got {token[:30]!r}.") from None
    return int(value) if value.is_integer() else value


def _coordinates(r: Reader, obj: Object, values: list[float], n: int) -> GeometricCoordinates:
    values = [min(max(v, 0.0), 1.0) for v in values]
    if len(values) == 4:
        cx, cy, w, h = values
        left, top = max(cx - w / 2, 0.0), max(cy - h / 2, 0.0)
        box = BoundingBoxCoordinates(
            height=min(h, 1.0 - top), width=min(w, 1.0 - left), top_left_x=left, top_left_y=top
        )
        if obj.shape is Shape.BOUNDING_BOX:
            return box
        if obj.shape is not Shape.POLYGON:
            raise r.fail(f"line {n}", f"a box, but {obj.name!r} is a {obj.shape.value} in the ontology.")
        corners = [(left, top), (left + box.width, top), (left + box.width, top + box.height), (left, top + box.height)]
        return PolygonCoordinates(values=[PointCoordinate(x, y) for x, y in corners])
    if obj.shape is not Shape.POLYGON:
        raise r.fail(f"line {n}", f"a polygon, but {obj.name!r} is a {obj.shape.value} in the ontology.")
    return PolygonCoordinates(values=[PointCoordinate(values[i], values[i + 1]) for i in range(0, len(values), 2)])


def _find_image(stem: PurePosixPath, roots: list[tuple[Path, str]]) -> tuple[Path, str] | None:
    """The image file for a label file's stem: under each root (and its ``images/``), any image suffix."""
    for root, prefix in roots:
        for folder, within in ((root / "images", "images/"), (root, "")):
            for suffix in sorted(IMAGE_SUFFIXES):
                for candidate_suffix in (suffix, suffix.upper()):
                    candidate = folder / stem.parent / f"{stem.name}{candidate_suffix}"
                    if candidate.is_file():
                        return candidate, f"{prefix}{within}{stem.with_suffix(candidate_suffix)}"
    return None


@reading
def load_yolo(
    folder: str | os.PathLike[str],
    ontology: Ontology | None = None,
    *,
    media: str | os.PathLike[str] | None = None,
    allow_outside_media: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Project:
    """Read a YOLO dataset folder (or its ``data.yaml``) into a project, one row per image.

    Image sizes come from the images' headers: under the media folder when given, else the
    dataset's ``images/``. Media paths are kept relative to the folder they were found in.

    Raises:
        FormatError: Naming the file, the line and the value of the first malformed label, or an
            image that is missing or unreadable.
    """
    root = Path(folder)
    if root.is_file():
        root = root.parent
    data_yaml = root / "data.yaml"
    if not data_yaml.is_file():
        raise Reader(str(data_yaml), limits).fail("", "missing; a YOLO dataset names its classes in data.yaml.")
    names = _class_names(Reader(str(data_yaml), limits), read_text(data_yaml, limits))
    labels_root = root / "labels"
    files = sorted(labels_root.rglob("*.txt")) if labels_root.is_dir() else []
    labels = {path.relative_to(labels_root).as_posix(): read_text(path, limits) for path in files}
    parsed = _parse_labels(names, labels, str(root), limits)  # the labels' own faults first, then the images'
    sizes: dict[str, tuple[str, int, int]] = {}
    roots = [(Path(media), "")] if media is not None else []
    roots.append((root, ""))
    for path in files:
        name = path.relative_to(labels_root).as_posix()
        r = Reader(str(path), limits)
        found = _find_image(PurePosixPath(name).with_suffix(""), roots)
        if found is None:
            raise r.fail(
                "",
                f"no image {PurePosixPath(name).with_suffix('.*')} under {[str(p) for p, _ in roots]} to take its "
                f"size from; pass the folder that holds the images with --media.",
            )
        image, relative = found
        width, height = r.image_file_size(image, "image", f"image {relative}: ")
        checked = media_path(r, relative, "image", Path(media) if media is not None else root, allow_outside_media)
        sizes[name] = (checked, width, height)
    return _build(names, parsed, sizes, ontology, str(root), limits)


def read_yolo(path: Path, o: ReadOptions) -> Project:
    """Read a YOLO dataset with the options ``labelspace.formats.load`` was given."""
    return load_yolo(path, o.ontology, media=o.media, allow_outside_media=o.allow_outside_media, limits=o.limits)


def write_yolo(project: Project, path: Path, o: WriteOptions) -> Counter[str]:
    """Write a YOLO dataset with the options ``labelspace.formats.save`` was given."""
    return save_yolo(project, path, replace=o.overwrite)
