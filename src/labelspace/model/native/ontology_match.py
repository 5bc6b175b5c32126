"""Whether an ontology given by a caller is the one a file was written with."""

from __future__ import annotations

from labelspace.model.errors import LabelRowError
from labelspace.model.ontology import Ontology


def matching_ontology(given: Ontology | None, stored: Ontology, where: str = "") -> Ontology:
    """The ontology to read a file with: ``given`` if it matches the file's ``stored`` one, else an error.

    ``where`` (for example ``"labels.json: "``) prefixes the message. Without ``given``, the file's own.
    """
    if given is None:
        return stored
    difference = ontology_difference(given, stored)
    if difference:
        message = f"the ontology given does not match the file's: {difference}"
        raise LabelRowError(f"{where}{message}" if where else message[0].upper() + message[1:])
    return given


def ontology_difference(given: Ontology, stored: Ontology) -> str:
    """Describe the first difference between two ontologies, or return '' if they are equal."""
    a, b = given.to_dict(), stored.to_dict()
    if a == b:
        return ""
    for kind in ("objects", "classifications"):
        mine = {x["feature_node_hash"]: x for x in a[kind]}
        theirs = {x["feature_node_hash"]: x for x in b[kind]}
        for h, x in theirs.items():
            if h not in mine:
                return f"the file's {kind[:-1]} {x.get('name', h)!r} ({h}) is missing from the ontology given."
            if mine[h] != x:
                return f"{kind[:-1]} {x.get('name', h)!r} ({h}) differs."
        for h, x in mine.items():
            if h not in theirs:
                return f"the ontology given has {kind[:-1]} {x.get('name', h)!r} ({h}) that the file does not."
        if list(mine) != list(theirs):
            return f"the {kind} are in a different order."
    return "they differ."
