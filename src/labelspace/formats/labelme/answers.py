"""LabelMe's flags and descriptions <-> answers, both ways.

A flag ``name:option`` answers the radio or checklist attribute ``name`` with ``option`` (this is
how export writes them); other flags choose options of a checklist named ``flags``. A shape's
``description`` answers its object's text attribute ``description``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from labelspace.formats._common import option_named
from labelspace.model.ontology import Attribute, ChecklistAttribute, Option, RadioAttribute, TextAttribute

FLAGS = "flags"
"""The name of the checklist attribute (and classification) that holds flags."""
DESCRIPTION = "description"
"""The name of the text attribute that holds a shape's description."""


def _flag_target(attributes: Sequence[Attribute], flag: str) -> tuple[Attribute, Option] | None:
    """The attribute and option a flag chooses: ``name:option`` of a radio or checklist, else an option of ``flags``."""
    by_name = {a.name: a for a in attributes if isinstance(a, (RadioAttribute, ChecklistAttribute))}
    name, sep, rest = flag.partition(":")
    if sep and name in by_name and (option := option_named(by_name[name], rest)) is not None:
        return by_name[name], option
    checklist = by_name.get(FLAGS)
    if isinstance(checklist, ChecklistAttribute) and (option := option_named(checklist, flag)) is not None:
        return checklist, option
    return None


def answers_from_flags(
    attributes: Sequence[Attribute], flags: dict[str, bool], dropped: Counter[str], what: str
) -> dict[int, tuple[Attribute, Any]]:
    """Answers of flags: a radio takes the option of its one true flag, a checklist those of all its true flags."""
    out: dict[int, tuple[Attribute, Any]] = {}
    for flag, on in flags.items():
        target = _flag_target(attributes, flag)
        if target is None:
            dropped[f"{what} flags not in the ontology"] += 1
            continue
        attribute, option = target
        if isinstance(attribute, ChecklistAttribute):
            chosen = out.setdefault(id(attribute), (attribute, []))[1]
            chosen.extend([option] if on else [])
        elif on:
            if id(attribute) in out:
                dropped["flags after the first of a single-choice attribute"] += 1
                continue
            out[id(attribute)] = (attribute, option)
    return out


def _flag_name(attribute: Attribute, option: Option) -> str:
    return option.label if attribute.name == FLAGS else f"{attribute.name}:{option.label}"


def flags_from_answers(
    roots: Sequence[Attribute], answers: list[tuple[Attribute, Any]], what: str, dropped: Counter[str]
) -> tuple[dict[str, bool], str]:
    """Answers as flags (radio and checklist options) and a description (the text attribute ``description``).

    Args:
        roots: The root attributes of the object or classification answered.
        answers: Its answers.
        what: ``"attribute"`` for an object's answers, ``"classification"`` for an image's.
        dropped: Counts of what LabelMe cannot hold are added here.
    """
    flags: dict[str, bool] = {}
    description = ""
    for attribute, value in answers:
        if not any(a is attribute for a in roots):
            dropped["nested attribute answers"] += 1
        elif isinstance(attribute, (RadioAttribute, ChecklistAttribute)):
            chosen = value if isinstance(value, list) else [value]
            for option in attribute.options:
                flags[_flag_name(attribute, option)] = any(option is c for c in chosen)
        elif isinstance(attribute, TextAttribute) and attribute.name == DESCRIPTION and what == "attribute":
            description = value
        elif what == "attribute":
            dropped[f"attribute answers other than radio, checklist and text {DESCRIPTION!r}"] += 1
        else:
            dropped["classification answers other than radio and checklist"] += 1
    return flags, description
