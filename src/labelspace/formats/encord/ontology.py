"""Encord's ontology JSON <-> ``Ontology``, with the same feature hashes; kinds labelspace does not draw are dropped."""

from __future__ import annotations

from collections import Counter
from typing import Any

from labelspace.formats._common import Reader, reading, warn_dropped
from labelspace.formats._reading import DEFAULT_LIMITS, Limits
from labelspace.model.ontology import (
    Attribute,
    ChecklistAttribute,
    NumericAttribute,
    Ontology,
    RadioAttribute,
    Shape,
    TextAttribute,
)
from labelspace.model.skeletons import SkeletonTemplate

KIND = {"radio": RadioAttribute, "checklist": ChecklistAttribute, "text": TextAttribute, "numeric": NumericAttribute}


def ontology_to_encord(ontology: Ontology) -> dict[str, Any]:
    """Encord's ontology-structure JSON for an ontology (same feature hashes)."""

    def attribute(a: Attribute, uid: str) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": uid,
            "name": a.name,
            "type": a.kind,
            "featureNodeHash": a.feature_node_hash,
            "required": a.required,
            "archived": False,
            "dynamic": a.dynamic,
        }
        if a.options:
            d["options"] = []
            for k, option in enumerate(a.options, start=1):
                o: dict[str, Any] = {
                    "id": f"{uid}.{k}",
                    "label": option.label,
                    "value": option.value,
                    "featureNodeHash": option.feature_node_hash,
                    "archived": False,
                }
                if option.attributes:
                    o["options"] = [attribute(n, f"{uid}.{k}.{m}") for m, n in enumerate(option.attributes, start=1)]
                d["options"].append(o)
        return d

    return {
        "objects": [
            {
                "id": str(i),
                "name": o.name,
                "color": o.color,
                "shape": o.shape.value,
                "featureNodeHash": o.feature_node_hash,
                "required": False,
                "archived": False,
                "attributes": [attribute(a, f"{i}.{j}") for j, a in enumerate(o.attributes, start=1)],
            }
            for i, o in enumerate(ontology.objects, start=1)
        ],
        "classifications": [
            {
                "id": str(i),
                "featureNodeHash": c.feature_node_hash,
                **({"level": "global"} if c.is_global else {}),
                "attributes": [attribute(a, f"{i}.{j}") for j, a in enumerate(c.attributes, start=1)],
            }
            for i, c in enumerate(ontology.classifications, start=1)
        ],
        "skeleton_templates": [
            {"template": _template_to_encord(o.name, o.feature_node_hash, o.skeleton)}
            for o in ontology.objects
            if o.skeleton is not None
        ],
    }


def _template_to_encord(name: str, feature_node_hash: str, template: SkeletonTemplate) -> dict[str, Any]:
    """Encord keeps a template beside its object, under the object's hash; nodes in the unit box."""
    index = {n.name: str(i) for i, n in enumerate(template.nodes)}
    edges: dict[str, dict[str, dict[str, str]]] = {}
    for a, b in template.edges:
        edges.setdefault(index[a], {})[index[b]] = {"color": "#000000"}
    return {
        "name": name,
        "width": 1.0,
        "height": 1.0,
        "skeleton": {
            index[n.name]: {"x": n.x, "y": n.y, "name": n.name, "color": "#000000", "value": n.name}
            for n in template.nodes
        },
        "skeletonEdges": edges,
        "feature_node_hash": feature_node_hash,
        "shape": "skeleton",
    }


def _template_from_encord(r: Reader, t: Any, path: str) -> SkeletonTemplate:
    nodes_by_key = r.obj(t.get("skeleton"), f"{path}.skeleton")
    nodes = []
    names: dict[str, str] = {}
    for key, node in nodes_by_key.items():
        n = r.obj(node, f"{path}.skeleton.{key}")
        name = r.text(n.get("name"), f"{path}.skeleton.{key}.name")
        names[str(key)] = name
        nodes.append(
            (name, r.number(n.get("x"), f"{path}.skeleton.{key}.x"), r.number(n.get("y"), f"{path}.skeleton.{key}.y"))
        )
    edges = []
    for start, ends in r.obj(t.get("skeletonEdges", {}), f"{path}.skeletonEdges").items():
        for end in r.obj(ends, f"{path}.skeletonEdges.{start}"):
            if str(start) not in names or str(end) not in names:
                raise r.fail(f"{path}.skeletonEdges.{start}", f"edge to node {end!r:.20} that the template lacks.")
            edges.append((names[str(start)], names[str(end)]))
    with r.at(path):
        return SkeletonTemplate(nodes, edges)


@reading
def ontology_from_encord(
    d: Any, source: str = "Encord ontology", dropped: Counter[str] | None = None, limits: Limits = DEFAULT_LIMITS
) -> Ontology:
    """An ontology from Encord's ontology-structure JSON; objects of kinds labelspace does not draw are dropped.

    Args:
        d: The decoded ontology JSON.
        source: Named in error messages.
        dropped: Counts of the ontology objects dropped (by shape) are added here; without it they
            are listed in a ``DroppedLabelsWarning``.
        limits: The reader's limits.

    Raises:
        FormatError: Naming the source and the path of the first malformed field.
    """
    r = Reader(source, limits)
    announce = dropped is None  # else the caller lists it with the rest of a file's drops
    dropped = dropped if dropped is not None else Counter()
    ontology = Ontology()
    data = r.obj(d, "ontology")
    # A template goes with the object of its hash (Encord's own link), else with the object of its name.
    templates: dict[str, SkeletonTemplate] = {}
    for i, wrapper in enumerate(r.objects(data.get("skeleton_templates") or [], "skeleton_templates")):
        t = r.obj(wrapper.get("template", wrapper), f"skeleton_templates[{i}].template")
        template = _template_from_encord(r, t, f"skeleton_templates[{i}].template")
        for key in (t.get("feature_node_hash"), t.get("name")):
            if isinstance(key, str) and key:
                templates.setdefault(key, template)

    def attributes(items: Any, into: list[Attribute], path: str, allow_dynamic: bool) -> None:
        for j, a in enumerate(r.objects(items if items is not None else [], f"{path}.attributes")):
            apath = f"{path}.attributes[{j}]"
            kind = KIND.get(a["type"]) if isinstance(a.get("type"), str) else None
            if kind is None:
                raise r.fail(f"{apath}.type", f"{a.get('type')!r:.30} is not radio, checklist, text or numeric.")
            with r.at(apath):
                attribute = kind(
                    r.text(a.get("name"), f"{apath}.name"),
                    r.text(a.get("featureNodeHash"), f"{apath}.featureNodeHash"),
                    bool(a.get("required")),
                    bool(a.get("dynamic")) and allow_dynamic,
                )
            into.append(attribute)
            for k, o in enumerate(r.objects(a.get("options") or [], f"{apath}.options")):
                opath = f"{apath}.options[{k}]"
                with r.at(opath):
                    label = r.text(o.get("label"), f"{opath}.label")
                    value = o.get("value")
                    option = attribute.add_option(  # type: ignore[attr-defined]
                        label,
                        value if isinstance(value, str) and value else None,
                        r.text(o.get("featureNodeHash"), f"{opath}.featureNodeHash"),
                    )
                if isinstance(attribute, RadioAttribute):
                    attributes(o.get("options"), option.attributes, opath, False)

    for i, o in enumerate(r.objects(data.get("objects", []), "objects")):
        path = f"objects[{i}]"
        shape = o.get("shape")
        if not isinstance(shape, str) or shape not in Shape._value2member_map_:
            dropped[f"ontology objects of shape {str(shape)[:20]!r}"] += 1
            continue
        with r.at(path):
            color = o.get("color")
            name = r.text(o.get("name"), f"{path}.name")
            feature_node_hash = r.text(o.get("featureNodeHash"), f"{path}.featureNodeHash")
            obj = ontology.add_object(
                name,
                Shape(shape),
                feature_node_hash,
                color if isinstance(color, str) and color else None,
                skeleton=templates.get(feature_node_hash, templates.get(name)) if shape == "skeleton" else None,
            )
            attributes(o.get("attributes"), obj.attributes, path, True)
    for i, c in enumerate(r.objects(data.get("classifications", []), "classifications")):
        path = f"classifications[{i}]"
        with r.at(path):
            classification = ontology.add_classification(
                r.text(c.get("featureNodeHash"), f"{path}.featureNodeHash"), is_global=c.get("level") == "global"
            )
            attributes(c.get("attributes"), classification.attributes, path, False)
    if announce:
        warn_dropped("Encord ontology", dropped, importing=True)
    return ontology
