"""The ontology of a Label Studio file: built from its labels and controls, or found in the one given.

Without an ontology one is built: an object per label and shape, its attributes named after their
controls, and a classification per control answered about the whole task. With one, each region's
label and each answer's control is looked up in it, and answers are converted to its attributes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from labelspace.formats._common import Reader, attributes_by_name, option_named
from labelspace.formats.labelstudio.tasks import Answer, Region, Task
from labelspace.model.ontology import (
    Attribute,
    ChecklistAttribute,
    Classification,
    NumericAttribute,
    Object,
    Ontology,
    Option,
    RadioAttribute,
    Shape,
    TextAttribute,
)


@dataclass
class _Control:
    """What a control's answers need: its kind, the options seen, whether any answer held several."""

    control: str
    where: str
    options: list[str] = field(default_factory=list)
    multiple: bool = False

    def add(self, r: Reader, answer: Answer) -> None:
        if answer.control != self.control:
            raise r.fail(
                answer.where,
                f"{answer.name!r} answers with {answer.control} here and with {self.control} at {self.where}.",
            )
        if answer.control == "choices":
            self.multiple = self.multiple or len(answer.value) > 1
            self.options.extend(c for c in answer.value if c not in self.options)

    def attribute(self) -> type[Attribute]:
        if self.control == "choices":
            return ChecklistAttribute if self.multiple else RadioAttribute
        return TextAttribute if self.control == "text" else NumericAttribute


def _shape(family: str, rotated: bool) -> Shape:
    if family in ("rectangle", "video"):
        return Shape.ROTATABLE_BOUNDING_BOX if rotated else Shape.BOUNDING_BOX
    return {
        "polygon": Shape.POLYGON,
        "polyline": Shape.POLYLINE,
        "point": Shape.POINT,
        "brush": Shape.BITMASK,
    }[family]


def build_ontology(r: Reader, tasks: list[Task]) -> Ontology:
    """An object per label and shape (rotated boxes if any box of the label is), a classification per control.

    A control is one question whatever it is asked about, so its attributes share its options.
    """
    controls: dict[str, _Control] = {}
    objects: dict[tuple[str, str], tuple[list[bool], list[str]]] = {}  # (label, family) -> rotated, controls
    classifications: list[str] = []
    for task in tasks:
        for source in task.sources:
            for region in source.regions:
                key = (region.label, "rectangle" if region.family == "video" else region.family)
                rotated, names = objects.setdefault(key, ([False], []))
                rotated[0] = rotated[0] or region.rotated
                for answer in region.answers:
                    controls.setdefault(answer.name, _Control(answer.control, answer.where)).add(r, answer)
                    names.extend([answer.name] if answer.name not in names else [])
            for answer in source.answers:
                controls.setdefault(answer.name, _Control(answer.control, answer.where)).add(r, answer)
                classifications.extend([answer.name] if answer.name not in classifications else [])
    ontology = Ontology()
    for (label, family), (rotated, names) in objects.items():
        obj = ontology.add_object(label, _shape(family, rotated[0]))
        for name in names:
            _add_options(obj.add_attribute(controls[name].attribute(), name), controls[name].options)
    for name in classifications:
        classification = ontology.add_classification(is_global=True)
        _add_options(classification.add_attribute(controls[name].attribute(), name), controls[name].options)
    return ontology


def _add_options(attribute: Attribute, options: list[str]) -> None:
    if isinstance(attribute, (RadioAttribute, ChecklistAttribute)):
        for option in options:
            attribute.add_option(option)


class Resolver:
    """Finds the ontology elements a file's labels and answers are of, and converts answers to them."""

    def __init__(self, r: Reader, ontology: Ontology, dropped: Counter[str]) -> None:
        self.r = r
        self.ontology = ontology
        self.dropped = dropped

    def object(self, region: Region) -> Object:
        """The object of a region's label and shape (a box without rotation may be a rotated box's)."""
        family = "rectangle" if region.family == "video" else region.family
        if family == "rectangle":
            shapes = (
                [Shape.ROTATABLE_BOUNDING_BOX] if region.rotated else [Shape.BOUNDING_BOX, Shape.ROTATABLE_BOUNDING_BOX]
            )
        else:
            shapes = [_shape(family, False)]
        for shape in shapes:
            for obj in self.ontology.objects:
                if obj.name == region.label and obj.shape is shape:
                    return obj
        wanted = " or ".join(s.value for s in shapes)
        raise self.r.fail(region.where, f"the ontology has no {wanted} object named {region.label!r}.")

    def classification(self, answer: Answer) -> tuple[Classification, Attribute]:
        """The classification a whole-task answer is of (named after its control), and its root attribute."""
        for classification in self.ontology.classifications:
            if classification.title == answer.name and classification.attributes:
                return classification, classification.attributes[0]
        raise self.r.fail(answer.where, f"the ontology has no classification named {answer.name!r}.")

    def attribute(self, obj: Object, answer: Answer) -> Attribute:
        """The attribute of ``obj`` a region's answer is of (named after its control)."""
        found = attributes_by_name(obj).get(answer.name)
        if found is None:
            raise self.r.fail(
                answer.where, f"object {obj.name!r} has no attribute named {answer.name!r} in the ontology."
            )
        return found

    def value(self, attribute: Attribute, answer: Answer) -> Any:
        """An answer as the attribute takes it: an option, a list of options, text or a number."""
        r = self.r
        if answer.control == "choices" and isinstance(attribute, (RadioAttribute, ChecklistAttribute)):
            options = [self.option(attribute, choice, answer.where) for choice in answer.value]
            if isinstance(attribute, ChecklistAttribute):
                return options
            if len(options) > 1:
                self.dropped["choices after the first of a single-choice attribute"] += len(options) - 1
            return options[0]
        if answer.control == "text" and isinstance(attribute, TextAttribute):
            return answer.value
        if answer.control == "number" and isinstance(attribute, NumericAttribute):
            return answer.value
        raise r.fail(
            answer.where,
            f"{attribute.name!r} is a {attribute.kind} attribute in the ontology; the file answers it with "
            f"{answer.control}.",
        )

    def option(self, attribute: Attribute, choice: str, where: str) -> Option:
        """The option a choice names: by its label, else by its value."""
        option = option_named(attribute, choice)
        if option is not None:
            return option
        raise self.r.fail(where, f"{choice!r} is not an option of {attribute.name!r} in the ontology.")
