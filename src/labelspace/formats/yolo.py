"""YOLO detection and segmentation datasets <-> ``Project``.

A dataset is a folder: ``data.yaml`` naming the classes, ``labels/<name>.txt`` per image with a
line per object, ``class cx cy w h`` (a box) or ``class x1 y1 x2 y2 ...`` (a polygon), all
normalised to the image, and ``images/<name>.<ext>``. A video or volume frame is written as the
image name ``<space>_<frame>``.

YOLO holds boxes and polygons only: classifications, attributes, dynamic answers, metadata,
rotated boxes' angles, polylines, points, skeletons and masks are dropped on export, and a warning
lists what was dropped and how much. Images are not written; import reads each image's size from
``images/`` (or a media folder).
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from labelspace.formats._common import frame_stem, warn_dropped
from labelspace.media.base import IMAGE_SUFFIXES
from labelspace.model.coordinates import (
    BoundingBoxCoordinates,
    GeometricCoordinates,
    PointCoordinate,
    PolygonCoordinates,
)
from labelspace.model.errors import LabelRowError, MediaError, OntologyError
from labelspace.model.label_row import LabelRow
from labelspace.model.ontology import Object, Ontology, Shape
from labelspace.model.project import Project
from labelspace.model.spaces import MultiFrameSpace


def _number(v: float) -> str:
    return repr(float(v))


def save_yolo(project: Project | LabelRow, folder: str | os.PathLike[str]) -> Counter[str]:
    """Write a YOLO dataset's ``data.yaml`` and ``labels/``; return (and warn about) what was dropped."""
    import yaml

    if isinstance(project, LabelRow):
        project = Project.of(project)
    root = Path(folder)
    (root / "labels").mkdir(parents=True, exist_ok=True)
    names = [o.name for o in project.ontology.objects]
    index = {o.feature_node_hash: i for i, o in enumerate(project.ontology.objects)}
    dropped: Counter[str] = Counter()
    written: set[str] = set()
    for row in project.rows:
        for space in row.list_spaces():
            dropped["classification annotations"] += sum(1 for _ in space.get_annotations("classification"))
            lines: dict[int, list[str]] = {}
            for view in space.get_annotations("object"):
                instance = view.object_instance
                c = view.coordinates
                label = index[instance.feature_hash]
                if isinstance(c, BoundingBoxCoordinates):
                    values = [c.top_left_x + c.width / 2, c.top_left_y + c.height / 2, c.width, c.height]
                elif isinstance(c, PolygonCoordinates):
                    if any(len(part) > 1 for part in c.polygons):
                        dropped["polygon holes"] += sum(len(part) - 1 for part in c.polygons)
                    if len(c.polygons) > 1:
                        dropped["polygon parts after the first"] += len(c.polygons) - 1
                    values = [v for p in c.polygons[0][0] for v in (p.x, p.y)]
                else:
                    dropped[f"{instance.ontology_item.shape.value} annotations"] += 1
                    continue
                lines.setdefault(view.frame, []).append(" ".join([str(label), *map(_number, values)]))
                if instance._answer_items():
                    dropped["attribute answers"] += len(instance._answer_items())
            if isinstance(space, MultiFrameSpace):
                dropped["dynamic answers"] += sum(len(t.dynamic) for t in space._objects.values())
            frames = range(space.number_of_frames) if isinstance(space, MultiFrameSpace) else [0]
            for frame in frames:
                stem = frame_stem(space, frame)
                if stem in written:
                    raise LabelRowError(
                        f"two images would both be written as labels/{stem}.txt; give spaces distinct media names."
                    )
                written.add(stem)
                if frame in lines or not isinstance(space, MultiFrameSpace):
                    (root / "labels" / f"{stem}.txt").write_text(
                        "\n".join(lines.get(frame, [])) + ("\n" if frame in lines else "")
                    )
    (root / "data.yaml").write_text(
        yaml.safe_dump(
            {"path": ".", "train": "images", "val": "images", "nc": len(names), "names": names}, sort_keys=False
        )
    )
    return warn_dropped("YOLO", dropped)


def _image_size(stem: str, roots: list[Path]) -> tuple[str, int, int]:
    from PIL import Image

    for root in roots:
        for suffix in sorted(IMAGE_SUFFIXES):
            for candidate in (root / f"{stem}{suffix}", root / f"{stem}{suffix.upper()}"):
                if candidate.is_file():
                    with Image.open(candidate) as image:
                        return str(candidate), image.size[0], image.size[1]
    raise MediaError(
        f"no image named {stem}.* in {[str(r) for r in roots]} to take its size from; pass the media folder."
    )


def load_yolo(
    folder: str | os.PathLike[str], ontology: Ontology | None = None, media: str | os.PathLike[str] | None = None
) -> Project:
    """Read a YOLO dataset folder (or its ``data.yaml``) into a project, one row per image.

    Raises:
        LabelRowError: Naming the file, the line and the value of the first malformed label.
        MediaError: If an image to take the size from is missing.
    """
    import yaml

    root = Path(folder)
    if root.is_file():
        root = root.parent
    data_yaml = root / "data.yaml"
    try:
        config = yaml.safe_load(data_yaml.read_text())
    except FileNotFoundError:
        raise LabelRowError(f"{data_yaml}: missing; a YOLO dataset names its classes in data.yaml.") from None
    except yaml.YAMLError as e:
        raise LabelRowError(f"{data_yaml}: not valid YAML ({e}).") from None
    names = config.get("names") if isinstance(config, dict) else None
    if isinstance(names, dict):
        names = [names[k] for k in sorted(names)]
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise LabelRowError(f"{data_yaml}: names: expected a list (or index map) of class names.")
    label_files = sorted((root / "labels").rglob("*.txt"))
    parsed: list[tuple[Path, list[tuple[int, list[float]]]]] = []
    polygon_classes: set[int] = set()
    for path in label_files:
        entries = []
        for n, line in enumerate(path.read_text().splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.split()
            try:
                label, values = int(parts[0]), [float(v) for v in parts[1:]]
            except ValueError:
                raise LabelRowError(
                    f"{path}: line {n}: expected a class index and numbers, got {line!r:.60}."
                ) from None
            if not 0 <= label < len(names):
                raise LabelRowError(f"{path}: line {n}: class {label} is not in data.yaml's {len(names)} names.")
            if len(values) != 4 and (len(values) < 6 or len(values) % 2):
                raise LabelRowError(
                    f"{path}: line {n}: expected 4 numbers (a box) or 6+ in pairs (a polygon), got {len(values)}."
                )
            if any(not 0.0 <= v <= 1.0 + 1e-6 for v in values):
                raise LabelRowError(f"{path}: line {n}: coordinates must be normalised to 0..1, got {line!r:.60}.")
            if len(values) != 4:
                polygon_classes.add(label)
            entries.append((label, values))
        parsed.append((path, entries))
    if ontology is None:
        ontology = Ontology()
        for i, name in enumerate(names):
            ontology.add_object(name, Shape.POLYGON if i in polygon_classes else Shape.BOUNDING_BOX)
    try:
        objects = [ontology.get_child_by_title(name, Object) for name in names]
    except OntologyError as e:
        raise LabelRowError(f"{data_yaml}: {e.message}") from None
    project = Project(ontology)
    for path, entries in parsed:
        split = path.parent.relative_to(root / "labels")  # labels/train/x.txt goes with images/train/x.jpg
        roots = [Path(media) / split, Path(media)] if media is not None else []
        image, width, height = _image_size(path.stem, [*roots, root / "images" / split, root / "images", root])
        row = LabelRow(ontology)
        space = row.add_image_space(path.stem, width, height)
        space.media = image
        for n, (label, values) in enumerate(entries, start=1):
            obj = objects[label]
            try:
                if len(values) == 4:
                    cx, cy, w, h = values
                    box = BoundingBoxCoordinates(
                        height=h, width=w, top_left_x=max(cx - w / 2, 0.0), top_left_y=max(cy - h / 2, 0.0)
                    )
                    coordinates: GeometricCoordinates = (
                        box
                        if obj.shape is Shape.BOUNDING_BOX
                        else PolygonCoordinates(
                            values=[
                                PointCoordinate(box.top_left_x, box.top_left_y),
                                PointCoordinate(box.top_left_x + w, box.top_left_y),
                                PointCoordinate(box.top_left_x + w, box.top_left_y + h),
                                PointCoordinate(box.top_left_x, box.top_left_y + h),
                            ]
                        )
                    )
                else:
                    coordinates = PolygonCoordinates(
                        values=[PointCoordinate(values[i], values[i + 1]) for i in range(0, len(values), 2)]
                    )
                space.put_object_instance(obj.create_instance(), coordinates)
            except LabelRowError as e:
                raise LabelRowError(f"{path}: label {n}: {e.message}") from None
        project.add_row(row)
    return project
