"""Skeleton templates: the named nodes (and the edges between them) that a skeleton object is drawn with.

A template's node positions are fractions of the template's own box: its nodes span it, so the
template is placed on an image by scaling it into a box (``place``). Templates belong to the
ontology object whose shape is ``skeleton`` (``Ontology.add_object(..., skeleton=...)``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from labelspace.model.coordinates import SkeletonCoordinate, SkeletonCoordinates
from labelspace.model.errors import OntologyError


@dataclass(frozen=True, slots=True)
class SkeletonNode:
    """One node of a template.

    Args:
        name: The node's name, unique in its template (``"left_eye"``).
        x: Its position across the template's box, 0..1.
        y: Its position down the template's box, 0..1.
    """

    name: str
    x: float
    y: float


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise OntologyError(f"{what} must be a finite number, got {value!r:.40}.")
    return float(value)


@dataclass(frozen=True, slots=True, init=False)
class SkeletonTemplate:
    """The nodes of a skeleton and the edges drawn between them.

    Node positions may be given in any units (pixels of a drawing, say): they are scaled so that
    the nodes span the unit box, which is what ``place`` scales into a box on an image. A node
    alone on an axis sits in the middle of it.

    Args:
        nodes: ``SkeletonNode`` values, or ``(name, x, y)`` tuples; names unique.
        edges: Pairs of node names to draw a line between.
    """

    nodes: tuple[SkeletonNode, ...]
    edges: tuple[tuple[str, str], ...]

    def __init__(
        self,
        nodes: Sequence[SkeletonNode | tuple[str, float, float]],
        edges: Sequence[tuple[str, str]] = (),
    ) -> None:
        if isinstance(nodes, (str, bytes)) or not isinstance(nodes, Sequence) or not nodes:
            raise OntologyError(f"A skeleton template needs a non-empty list of nodes, got {nodes!r:.40}.")
        raw = []
        for i, node in enumerate(nodes):
            if isinstance(node, SkeletonNode):
                name, x, y = node.name, node.x, node.y
            elif isinstance(node, tuple) and len(node) == 3:
                name, x, y = node
            else:
                raise OntologyError(
                    f"Skeleton template node {i} must be a SkeletonNode or a (name, x, y) tuple, got {node!r:.40}."
                )
            if not isinstance(name, str) or not name:
                raise OntologyError(f"Skeleton template node {i} needs a non-empty str name, got {name!r:.40}.")
            raw.append((name, _number(x, f"node {name!r} x"), _number(y, f"node {name!r} y")))
        names = [n for n, _, _ in raw]
        if len(set(names)) != len(names):
            dup = next(n for n in names if names.count(n) > 1)
            raise OntologyError(f"Skeleton template has two nodes named {dup!r}; node names must be unique.")
        object.__setattr__(self, "nodes", tuple(SkeletonNode(n, x, y) for n, x, y in _span_unit_box(raw)))
        pairs = []
        for edge in edges:
            if not isinstance(edge, (tuple, list)) or len(edge) != 2 or not all(e in names for e in edge):
                raise OntologyError(f"A skeleton edge is a pair of node names of the template, got {edge!r:.60}.")
            pairs.append((str(edge[0]), str(edge[1])))
        object.__setattr__(self, "edges", tuple(pairs))

    @property
    def names(self) -> list[str]:
        """The node names, in order."""
        return [n.name for n in self.nodes]

    def place(self, x: float, y: float, width: float, height: float, name: str = "") -> SkeletonCoordinates:
        """The skeleton with every node visible, scaled into the normalised box ``(x, y, width, height)``."""
        return SkeletonCoordinates(
            [SkeletonCoordinate(x + n.x * width, y + n.y * height, n.name, "visible") for n in self.nodes], name
        )

    def to_dict(self) -> dict[str, Any]:
        """The template as a JSON-ready dict."""
        return {
            "nodes": [{"name": n.name, "x": n.x, "y": n.y} for n in self.nodes],
            "edges": [list(e) for e in self.edges],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], path: str = "skeleton") -> SkeletonTemplate:
        """Read the dict ``to_dict`` returns."""
        if not isinstance(d, Mapping) or not isinstance(d.get("nodes"), list):
            raise OntologyError(f"{path}: expected {{'nodes': [...], 'edges': [...]}}, got {d!r:.60}.")
        nodes = []
        for i, n in enumerate(d["nodes"]):
            if not isinstance(n, Mapping):
                raise OntologyError(f"{path}.nodes[{i}]: expected {{'name', 'x', 'y'}}, got {n!r:.40}.")
            nodes.append((n.get("name"), n.get("x"), n.get("y")))
        edges = d.get("edges", [])
        if not isinstance(edges, list):
            raise OntologyError(f"{path}.edges: expected a list of [name, name] pairs, got {edges!r:.40}.")
        try:
            return cls(nodes, [tuple(e) if isinstance(e, list) else e for e in edges])  # type: ignore[arg-type]
        except OntologyError as e:
            raise OntologyError(f"{path}: {e.message}") from None


def _span_unit_box(raw: list[tuple[str, float, float]]) -> list[tuple[str, float, float]]:
    xs = [x for _, x, _ in raw]
    ys = [y for _, _, y in raw]

    def scale(v: float, lo: float, hi: float) -> float:
        return 0.5 if hi == lo else (v - lo) / (hi - lo)

    return [(n, scale(x, min(xs), max(xs)), scale(y, min(ys), max(ys))) for n, x, y in raw]
