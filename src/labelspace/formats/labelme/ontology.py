"""The ontology of LabelMe files: built from their labels, shapes and flags, or found in the one given."""

from __future__ import annotations

from labelspace.formats._common import Reader
from labelspace.formats.labelme.answers import DESCRIPTION, FLAGS
from labelspace.formats.labelme.files import Item, LabelmeFile
from labelspace.formats.labelme.geometry import is_rectangle, ring
from labelspace.model.ontology import ChecklistAttribute, Object, Ontology, Shape, TextAttribute

_CANDIDATES = {
    "box": (Shape.BOUNDING_BOX, Shape.POLYGON, Shape.ROTATABLE_BOUNDING_BOX),
    "rotated": (Shape.ROTATABLE_BOUNDING_BOX, Shape.POLYGON),
    "polygon": (Shape.POLYGON, Shape.ROTATABLE_BOUNDING_BOX),
    "polyline": (Shape.POLYLINE,),
    "point": (Shape.POINT,),
    "skeleton": (Shape.SKELETON, Shape.POINT),
    "mask": (Shape.BITMASK,),
}
"""The shapes an item may take in an ontology, preferred first (the first is what a built ontology has)."""


def _built_shape(item: Item) -> Shape:
    return Shape.POINT if item.family == "skeleton" else _CANDIDATES[item.family][0]


def build_ontology(images: list[LabelmeFile]) -> Ontology:
    """An object per label and shape, with the attributes ``flags`` and ``description`` if used; image flags."""
    objects: dict[tuple[str, Shape], tuple[list[str], list[bool]]] = {}
    image_flags: list[str] = []
    for image in images:
        image_flags.extend(f for f in image.flags if f not in image_flags)
        for item in image.items:
            names, described = objects.setdefault((item.label, _built_shape(item)), ([], [False]))
            for member in item.shapes:
                names.extend(f for f in member.flags if f not in names)
                described[0] = described[0] or bool(member.description)
    ontology = Ontology()
    for (label, shape), (names, described) in objects.items():
        obj = ontology.add_object(label, shape)
        if names:
            checklist = obj.add_attribute(ChecklistAttribute, FLAGS)
            for name in names:
                checklist.add_option(name, name)
        if described[0]:
            obj.add_attribute(TextAttribute, DESCRIPTION)
    if image_flags:
        checklist = ontology.add_classification(is_global=True).add_attribute(ChecklistAttribute, FLAGS)
        for name in image_flags:
            checklist.add_option(name, name)
    return ontology


def object_for(ontology: Ontology, r: Reader, item: Item) -> Object:
    """The object of ``ontology`` an item is: of its label, in the first of the shapes it may take that there is.

    A polygon is taken for a rotated box only when it is one shape with the four corners of a rectangle.
    """
    candidates = _CANDIDATES[item.family]
    first = item.shapes[0]
    if item.family == "polygon" and (len(item.shapes) > 1 or not is_rectangle(ring(first.kind, first.points))):
        candidates = (Shape.POLYGON,)
    for shape in candidates:
        for obj in ontology.objects:
            if obj.name == item.label and obj.shape is shape:
                return obj
    wanted = " or ".join(s.value for s in candidates)
    raise r.fail(first.where, f"the ontology has no {wanted} object named {item.label!r}.")
