"""Instances of ontology objects and classifications, and their static answers.

An instance is one thing labelled: one car (an ``ObjectInstance`` of the object ``car``), or one
answer to a question (a ``ClassificationInstance``). Static answers (the same on every frame) live
on the instance; per-frame answers to dynamic attributes live on the space the object is on
(``MultiFrameSpace.set_dynamic_answer``).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import Union

import numpy as np

from labelspace.model.errors import LabelRowError
from labelspace.model.ontology import (
    Attribute,
    ChecklistAttribute,
    Classification,
    NumericAttribute,
    Object,
    Option,
    RadioAttribute,
    TextAttribute,
    new_hash,
    option_owner,
    walk_attributes,
)

NumericAnswerValue = Union[float, int]
"""The value of a numeric attribute's answer."""

Answer = Union[str, NumericAnswerValue, Option, Sequence[Option]]
"""Any answer value: text, a number, a radio option, or the options of a checklist."""

StoredAnswer = Union[str, float, int, Option, tuple[Option, ...]]


def check_answer(attribute: Attribute, answer: object) -> StoredAnswer:
    """Return ``answer`` in its stored form if it suits ``attribute``.

    Raises:
        LabelRowError: If the answer is of the wrong type for the attribute.
    """
    if isinstance(attribute, TextAttribute):
        if isinstance(answer, str):
            return answer
        expected = "a str"
    elif isinstance(attribute, NumericAttribute):
        if isinstance(answer, (int, float, np.integer, np.floating)) and not isinstance(answer, (bool, np.bool_)):
            value = answer.item() if isinstance(answer, np.generic) else answer
            if isinstance(value, float) and not math.isfinite(value):
                raise LabelRowError(f"Attribute {attribute.name!r} needs a finite number, got {value!r}.")
            return value
        expected = "an int or float"
    elif isinstance(attribute, RadioAttribute):
        if isinstance(answer, Option) and any(o is answer for o in attribute.options):
            return answer
        expected = f"one of its options {[o.label for o in attribute.options]}"
    elif isinstance(attribute, ChecklistAttribute):
        if isinstance(answer, Iterable) and not isinstance(answer, (str, bytes, Option)):
            chosen = list(answer)
            if all(isinstance(o, Option) and any(o is p for p in attribute.options) for o in chosen):
                return tuple(o for o in attribute.options if any(o is c for c in chosen))
        expected = f"a list of its options {[o.label for o in attribute.options]}"
    else:  # pragma: no cover - every attribute kind is handled above
        raise LabelRowError(f"Unknown attribute kind {type(attribute).__name__}.")
    raise LabelRowError(
        f"{type(attribute).__name__} {attribute.name!r} needs {expected}, got {type(answer).__name__} {answer!r:.60}."
    )


def answer_value(stored: StoredAnswer) -> str | NumericAnswerValue | Option | list[Option]:
    """Return a stored answer as the API hands it out (checklists as a fresh list)."""
    return list(stored) if isinstance(stored, tuple) else stored


def infer_attribute(attributes: Sequence[Attribute], answer: object, owner: str, *, dynamic: bool) -> Attribute:
    """Find which attribute of a tree an answer is for, as in ``set_answer(answer)`` without ``attribute``.

    Options name their attribute; text and numbers are only unambiguous when the tree has one
    attribute of that kind among the dynamic (or the static) ones.
    """
    option = answer if isinstance(answer, Option) else None
    if option is None and isinstance(answer, (list, tuple)) and answer and isinstance(answer[0], Option):
        option = answer[0]
    if option is not None:
        found = option_owner(attributes, option)
        if found is None:
            raise LabelRowError(f"Option {option.label!r} is not an option of any attribute of {owner}.")
        return found
    if isinstance(answer, str):
        kind: type[Attribute] = TextAttribute
    elif isinstance(answer, (int, float, np.integer, np.floating)) and not isinstance(answer, (bool, np.bool_)):
        kind = NumericAttribute
    else:
        raise LabelRowError(
            f"Cannot tell which attribute of {owner} the answer {answer!r:.40} is for; pass attribute=."
        )
    candidates = [a for a in walk_attributes(attributes) if isinstance(a, kind) and a.dynamic == dynamic]
    if len(candidates) != 1:
        which = "dynamic" if dynamic else "static"
        raise LabelRowError(
            f"{owner} has {len(candidates)} {which} {kind.__name__}s, so the attribute for {answer!r:.40} cannot be "
            f"inferred; pass attribute=."
        )
    return candidates[0]


def attribute_path(attributes: Sequence[Attribute], target: Attribute) -> list[tuple[Attribute, Option]] | None:
    """Return the (attribute, option) pairs leading to ``target`` in a tree, or None if it is not there."""
    for attribute in attributes:
        if attribute is target:
            return []
        for option in attribute.options:
            below = attribute_path(option.attributes, target)
            if below is not None:
                return [(attribute, option), *below]
    return None


class _Answerable(ABC):
    """Static answers, shared by object and classification instances."""

    __slots__ = ("_answers",)

    _answers: dict[str, StoredAnswer]

    @abstractmethod
    def _root_attributes(self) -> Sequence[Attribute]: ...

    @abstractmethod
    def _describe(self) -> str: ...

    def _path(self, attribute: Attribute) -> list[tuple[Attribute, Option]]:
        path = attribute_path(self._root_attributes(), attribute)
        if path is None:
            raise LabelRowError(f"Attribute {attribute.name!r} is not an attribute of {self._describe()}.")
        return path

    def _selectable(self, path: list[tuple[Attribute, Option]]) -> bool:
        return all(self._answers.get(parent.feature_node_hash) is option for parent, option in path)

    def _static(self, attribute: Attribute | None, answer: object = None) -> Attribute:
        if attribute is None:
            if answer is None:
                roots = self._root_attributes()
                if not roots:
                    raise LabelRowError(f"{self._describe()} has no attributes.")
                return roots[0]
            attribute = infer_attribute(self._root_attributes(), answer, self._describe(), dynamic=False)
        if not isinstance(attribute, Attribute):
            raise LabelRowError(f"attribute must be an Attribute of the ontology, got {type(attribute).__name__}.")
        if attribute.dynamic:
            raise LabelRowError(
                f"Attribute {attribute.name!r} is dynamic: its answers are per frame. Use "
                f"space.set_dynamic_answer(instance, frames, answer, attribute) on the space the object is on."
            )
        return attribute

    def set_answer(self, answer: Answer, attribute: Attribute | None = None, overwrite: bool = False) -> None:
        """Answer a static attribute.

        Args:
            answer: A str (text), a number (numeric), an ``Option`` (radio) or a list of options (checklist).
            attribute: The attribute answered; inferred from the answer when omitted.
            overwrite: Replace an existing answer instead of raising.

        Raises:
            LabelRowError: If the answer does not suit the attribute, the attribute is dynamic or not
                part of this instance's class, a nested attribute's parent option is not chosen, or an
                answer exists and ``overwrite`` is false.
        """
        attribute = self._static(attribute, answer)
        path = self._path(attribute)
        value = check_answer(attribute, answer)
        if not self._selectable(path):
            parent, option = next((p, o) for p, o in path if self._answers.get(p.feature_node_hash) is not o)
            raise LabelRowError(
                f"Attribute {attribute.name!r} is nested under option {option.label!r} of {parent.name!r}; "
                f"choose that option first."
            )
        if attribute.feature_node_hash in self._answers and not overwrite:
            raise LabelRowError(
                f"Attribute {attribute.name!r} of {self._describe()} is already answered; pass overwrite=True "
                f"to replace the answer."
            )
        self._answers[attribute.feature_node_hash] = value

    def get_answer(self, attribute: Attribute | None = None) -> str | NumericAnswerValue | Option | list[Option] | None:
        """Return the answer to a static attribute: None when unanswered ([] for a checklist).

        A nested attribute whose parent option is not chosen reads as None.
        """
        attribute = self._static(attribute)
        path = self._path(attribute)
        if not self._selectable(path):
            return None
        stored = self._answers.get(attribute.feature_node_hash)
        if stored is None:
            return [] if isinstance(attribute, ChecklistAttribute) else None
        return answer_value(stored)

    def delete_answer(self, attribute: Attribute | None = None) -> None:
        """Remove the answer to a static attribute, as if it was never given."""
        attribute = self._static(attribute)
        self._path(attribute)
        self._answers.pop(attribute.feature_node_hash, None)

    def get_static_answers(self) -> list[tuple[Attribute, str | NumericAnswerValue | Option | list[Option]]]:
        """Every static answer given, with its attribute, parents before nested ones (checklists as lists)."""
        return [(attribute, answer_value(value)) for attribute, value in self._answer_items()]

    def _answer_items(self) -> list[tuple[Attribute, StoredAnswer]]:
        """Every stored static answer with its attribute, parents before nested ones."""
        if not self._answers:  # most instances: no walk of the ontology's attributes
            return []
        return [
            (a, self._answers[a.feature_node_hash])
            for a in walk_attributes(self._root_attributes())
            if a.feature_node_hash in self._answers
        ]


class ObjectInstance(_Answerable):
    """One labelled object, such as one car; put it on spaces with coordinates.

    Create instances with ``Object.create_instance()``.
    """

    __slots__ = ("_object_hash", "_ontology_object")

    def __init__(self, ontology_object: Object, object_hash: str | None = None) -> None:
        if not isinstance(ontology_object, Object):
            raise LabelRowError(f"ObjectInstance needs an ontology Object, got {type(ontology_object).__name__}.")
        self._ontology_object = ontology_object
        self._object_hash = object_hash or new_hash()
        self._answers = {}

    @property
    def object_hash(self) -> str:
        """The instance's identifier."""
        return self._object_hash

    @property
    def _hash(self) -> str:
        return self._object_hash

    @property
    def ontology_item(self) -> Object:
        """The ontology object this is an instance of."""
        return self._ontology_object

    @property
    def feature_hash(self) -> str:
        """The ``feature_node_hash`` of the ontology object."""
        return self._ontology_object.feature_node_hash

    def _root_attributes(self) -> Sequence[Attribute]:
        return self._ontology_object.attributes

    def _describe(self) -> str:
        return f"object {self._ontology_object.name!r} ({self._object_hash})"

    def __repr__(self) -> str:
        return f"ObjectInstance(object_hash={self._object_hash!r}, object={self._ontology_object.name!r})"


class ClassificationInstance(_Answerable):
    """One classification answer placed on frames (or, if global, on a whole space).

    Create instances with ``Classification.create_instance()``.
    """

    __slots__ = ("_classification_hash", "_ontology_classification")

    def __init__(self, ontology_classification: Classification, classification_hash: str | None = None) -> None:
        if not isinstance(ontology_classification, Classification):
            kind = type(ontology_classification).__name__
            raise LabelRowError(f"ClassificationInstance needs an ontology Classification, got {kind}.")
        self._ontology_classification = ontology_classification
        self._classification_hash = classification_hash or new_hash()
        self._answers = {}

    @property
    def classification_hash(self) -> str:
        """The instance's identifier."""
        return self._classification_hash

    @property
    def _hash(self) -> str:
        return self._classification_hash

    @property
    def ontology_item(self) -> Classification:
        """The ontology classification this is an instance of."""
        return self._ontology_classification

    @property
    def feature_hash(self) -> str:
        """The ``feature_node_hash`` of the ontology classification."""
        return self._ontology_classification.feature_node_hash

    def is_global(self) -> bool:
        """Whether the classification describes a whole space (and so takes no frames)."""
        return self._ontology_classification.is_global

    def _root_attributes(self) -> Sequence[Attribute]:
        return self._ontology_classification.attributes

    def _describe(self) -> str:
        return f"classification {self._ontology_classification.title!r} ({self._classification_hash})"

    def __repr__(self) -> str:
        return (
            f"ClassificationInstance(classification_hash={self._classification_hash!r}, "
            f"classification={self._ontology_classification.title!r})"
        )
