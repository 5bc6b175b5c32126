"""Sample data that ships with labelspace, for the demo and for trying things out."""

from __future__ import annotations

import json
from importlib import resources

from labelspace.model.ontology import Ontology


def traffic_ontology() -> Ontology:
    """A small traffic ontology.

    Cars (boxes with a dynamic occlusion answer), pedestrians (points), lanes (polylines), road
    areas (polygons), a per-frame weather classification and a global scene classification.
    """
    text = resources.files(__package__).joinpath("traffic_ontology.json").read_text(encoding="utf-8")
    return Ontology.from_dict(json.loads(text))
