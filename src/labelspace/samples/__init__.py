"""Sample data that ships with labelspace, for the demos and for trying things out.

- ``traffic_ontology()`` (here): the ontology of ``labelspace summary``'s headless demo.
- ``labelspace.samples.street``: street scenes drawn with numpy and Pillow, with the geometry of what was drawn.
- ``labelspace.samples.project``: the sample project ``labelspace demo`` opens in the Annotator
  (``street_project(folder)``, ``street_ontology()``).
"""

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
