"""The ontology: which objects and classifications a label may hold, and their attributes.

An ``Ontology`` holds ``Object`` classes (a name and a ``Shape``) and ``Classification`` classes
(one root attribute each). Attributes are ``RadioAttribute``, ``ChecklistAttribute``,
``TextAttribute`` or ``NumericAttribute``; radio and checklist attributes have ``Option`` values,
and a radio option may nest further attributes. Every element has a ``feature_node_hash`` that
identifies it across files.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, Union, overload

from labelspace.model.errors import OntologyError
from labelspace.model.skeletons import SkeletonTemplate

if TYPE_CHECKING:
    from labelspace.model.instances import ClassificationInstance, ObjectInstance


def new_hash() -> str:
    """Return a fresh random 8-character identifier."""
    return secrets.token_hex(4)


class Shape(str, Enum):
    """The geometry of an ontology object."""

    BOUNDING_BOX = "bounding_box"
    ROTATABLE_BOUNDING_BOX = "rotatable_bounding_box"
    POLYGON = "polygon"
    POLYLINE = "polyline"
    POINT = "point"
    BITMASK = "bitmask"
    SKELETON = "skeleton"


_COLORS = (
    "#D33115",
    "#E27300",
    "#16406C",
    "#FE9200",
    "#FCDC00",
    "#DBDF00",
    "#A4DD00",
    "#68CCCA",
    "#73D8FF",
    "#AEA1FF",
    "#FCC400",
    "#B0BC00",
)


class Option:
    """A value of a radio or checklist attribute.

    Create options with ``RadioAttribute.add_option`` or ``ChecklistAttribute.add_option``.
    """

    __slots__ = ("_nestable", "attributes", "feature_node_hash", "label", "value")

    def __init__(self, label: str, value: str, feature_node_hash: str, *, nestable: bool) -> None:
        self.label = label
        self.value = value
        self.feature_node_hash = feature_node_hash
        self.attributes: list[Attribute] = []
        self._nestable = nestable

    @property
    def title(self) -> str:
        """The option's label."""
        return self.label

    def add_nested_attribute(
        self,
        cls: type[AttributeT],
        name: str,
        feature_node_hash: str | None = None,
        required: bool = False,
    ) -> AttributeT:
        """Add an attribute that is asked only when this (radio) option is chosen.

        Raises:
            OntologyError: If this is a checklist option; only radio options nest attributes.
        """
        if not self._nestable:
            raise OntologyError(
                f"Option {self.label!r} belongs to a checklist; only radio options can have nested attributes."
            )
        return _add_attribute(self.attributes, cls, name, feature_node_hash, required, dynamic=False, where=self.label)

    def __repr__(self) -> str:
        return f"Option(label={self.label!r}, feature_node_hash={self.feature_node_hash!r})"


class Attribute:
    """Base of the attribute kinds; create attributes with ``add_attribute``.

    Attributes:
        name: The question shown to an annotator.
        feature_node_hash: The attribute's identifier.
        required: Whether an annotator must answer it.
        dynamic: Whether the answer may change from frame to frame (object attributes only).
    """

    kind: ClassVar[str] = ""

    def __init__(
        self, name: str, feature_node_hash: str | None = None, required: bool = False, dynamic: bool = False
    ) -> None:
        if not isinstance(name, str) or not name:
            raise OntologyError(f"An attribute needs a non-empty str name, got {name!r}.")
        self.name = name
        self.feature_node_hash = feature_node_hash or new_hash()
        self.required = bool(required)
        self.dynamic = bool(dynamic)

    @property
    def title(self) -> str:
        """The attribute's name."""
        return self.name

    @property
    def options(self) -> Sequence[Option]:
        """The attribute's options (empty for text and numeric attributes)."""
        return ()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, feature_node_hash={self.feature_node_hash!r})"


class _OptionAttribute(Attribute):
    _nestable: ClassVar[bool] = False

    def __init__(
        self, name: str, feature_node_hash: str | None = None, required: bool = False, dynamic: bool = False
    ) -> None:
        super().__init__(name, feature_node_hash, required, dynamic)
        self._options: list[Option] = []

    @property
    def options(self) -> Sequence[Option]:
        """The attribute's options, in order."""
        return tuple(self._options)

    def add_option(self, label: str, value: str | None = None, feature_node_hash: str | None = None) -> Option:
        """Add an option.

        Args:
            label: What the annotator sees.
            value: A machine-friendly value; by default the label in lower case with ``_`` for spaces.
            feature_node_hash: The option's identifier; generated when omitted.
        """
        if not isinstance(label, str) or not label:
            raise OntologyError(f"An option needs a non-empty str label, got {label!r}.")
        if feature_node_hash is not None and any(o.feature_node_hash == feature_node_hash for o in self._options):
            raise OntologyError(f"Attribute {self.name!r} already has an option with hash {feature_node_hash!r}.")
        option = Option(
            label,
            value if value else "_".join(label.lower().split()),
            feature_node_hash or new_hash(),
            nestable=self._nestable,
        )
        self._options.append(option)
        return option


class RadioAttribute(_OptionAttribute):
    """Exactly one option is chosen; options may nest further attributes."""

    kind = "radio"
    _nestable = True


class ChecklistAttribute(_OptionAttribute):
    """Any number of options are chosen."""

    kind = "checklist"


class TextAttribute(Attribute):
    """A free-text answer."""

    kind = "text"


class NumericAttribute(Attribute):
    """A number."""

    kind = "numeric"


AttributeT = TypeVar("AttributeT", bound=Attribute)
_KINDS: dict[str, type[Attribute]] = {
    c.kind: c for c in (RadioAttribute, ChecklistAttribute, TextAttribute, NumericAttribute)
}


def _add_attribute(
    siblings: list[Attribute],
    cls: type[AttributeT],
    name: str,
    feature_node_hash: str | None,
    required: bool,
    dynamic: bool,
    where: str,
) -> AttributeT:
    if not (isinstance(cls, type) and issubclass(cls, Attribute) and cls.kind):
        raise OntologyError(
            f"add_attribute needs an attribute class (RadioAttribute, ChecklistAttribute, TextAttribute or "
            f"NumericAttribute), got {cls!r}."
        )
    if feature_node_hash is not None and any(a.feature_node_hash == feature_node_hash for a in siblings):
        raise OntologyError(f"{where!r} already has an attribute with hash {feature_node_hash!r}.")
    attribute = cls(name, feature_node_hash, required, dynamic)
    siblings.append(attribute)
    return attribute


def walk_attributes(attributes: Sequence[Attribute]) -> Iterator[Attribute]:
    """Yield every attribute of a tree, nested ones after their parents."""
    for attribute in attributes:
        yield attribute
        for option in attribute.options:
            yield from walk_attributes(option.attributes)


class Object:
    """An object class: instances of it are drawn as ``shape`` on images and frames.

    Create objects with ``Ontology.add_object``.
    """

    def __init__(
        self, name: str, shape: Shape, feature_node_hash: str, color: str, skeleton: SkeletonTemplate | None = None
    ) -> None:
        self.name = name
        self.shape = shape
        self.feature_node_hash = feature_node_hash
        self.color = color
        self.attributes: list[Attribute] = []
        self.skeleton = skeleton
        """For a skeleton object, the template its instances are drawn from (node names, edges), if known."""

    @property
    def title(self) -> str:
        """The object's name."""
        return self.name

    def add_attribute(
        self,
        cls: type[AttributeT],
        name: str,
        required: bool = False,
        dynamic: bool = False,
        feature_node_hash: str | None = None,
    ) -> AttributeT:
        """Add an attribute to the object.

        Args:
            cls: ``RadioAttribute``, ``ChecklistAttribute``, ``TextAttribute`` or ``NumericAttribute``.
            name: The question shown to an annotator.
            required: Whether an annotator must answer it.
            dynamic: Whether the answer may change from frame to frame of a video or volume.
            feature_node_hash: The attribute's identifier; generated when omitted.
        """
        return _add_attribute(self.attributes, cls, name, feature_node_hash, required, dynamic, where=self.name)

    def create_instance(self, object_hash: str | None = None) -> ObjectInstance:
        """Create an instance of this object, to be put on a space."""
        from labelspace.model.instances import ObjectInstance

        return ObjectInstance(self, object_hash=object_hash)

    def __repr__(self) -> str:
        return f"Object(name={self.name!r}, shape={self.shape.value!r}, feature_node_hash={self.feature_node_hash!r})"


class Classification:
    """A classification class: one root attribute that answers a question about a frame or file.

    Create classifications with ``Ontology.add_classification``. ``is_global`` classifications
    describe a whole space and take no frames.
    """

    def __init__(self, feature_node_hash: str, is_global: bool = False) -> None:
        self.feature_node_hash = feature_node_hash
        self.is_global = bool(is_global)
        self.attributes: list[Attribute] = []

    @property
    def title(self) -> str:
        """The name of the root attribute."""
        return self.attributes[0].name if self.attributes else ""

    def add_attribute(
        self,
        cls: type[AttributeT],
        name: str,
        required: bool = False,
        dynamic: bool = False,
        feature_node_hash: str | None = None,
    ) -> AttributeT:
        """Add the classification's root attribute (a classification has exactly one).

        Raises:
            OntologyError: If the classification already has its attribute, or ``dynamic`` is true
                (a classification is placed per frame already; dynamic answers are for objects).
        """
        if self.attributes:
            raise OntologyError(
                f"Classification {self.title!r} already has its root attribute; add nested attributes to its "
                f"options instead."
            )
        if dynamic:
            raise OntologyError(
                "Classification attributes cannot be dynamic: a classification is already placed per frame. "
                "Dynamic attributes belong to objects."
            )
        return _add_attribute(self.attributes, cls, name, feature_node_hash, required, False, where="classification")

    def create_instance(self, classification_hash: str | None = None) -> ClassificationInstance:
        """Create an instance of this classification, to be put on a space."""
        from labelspace.model.instances import ClassificationInstance

        return ClassificationInstance(self, classification_hash=classification_hash)

    def __repr__(self) -> str:
        return f"Classification(title={self.title!r}, feature_node_hash={self.feature_node_hash!r})"


OntologyElement = Union[Object, Classification, Attribute, Option]
ElementT = TypeVar("ElementT", Object, Classification, Attribute, Option)


def _children(element: OntologyElement) -> Sequence[OntologyElement]:
    if isinstance(element, (Object, Classification, Option)):
        return element.attributes
    return element.options


def _walk(elements: Sequence[OntologyElement]) -> Iterator[OntologyElement]:
    for element in elements:
        yield element
        yield from _walk(_children(element))


class Ontology:
    """The classes a label row may use: objects and classifications with their attributes."""

    def __init__(self) -> None:
        self._objects: list[Object] = []
        self._classifications: list[Classification] = []

    @property
    def objects(self) -> tuple[Object, ...]:
        """The object classes, in the order they were added."""
        return tuple(self._objects)

    @property
    def classifications(self) -> tuple[Classification, ...]:
        """The classification classes, in the order they were added."""
        return tuple(self._classifications)

    def _elements(self) -> Iterator[OntologyElement]:
        return _walk([*self._objects, *self._classifications])

    def _check_new_hash(self, feature_node_hash: str | None) -> str:
        if feature_node_hash is None:
            return new_hash()
        if not isinstance(feature_node_hash, str) or not feature_node_hash:
            raise OntologyError(f"feature_node_hash must be a non-empty str, got {feature_node_hash!r}.")
        if any(e.feature_node_hash == feature_node_hash for e in self._elements()):
            raise OntologyError(f"The ontology already has an element with feature_node_hash {feature_node_hash!r}.")
        return feature_node_hash

    def add_object(
        self,
        name: str,
        shape: Shape | str,
        feature_node_hash: str | None = None,
        color: str | None = None,
        *,
        skeleton: SkeletonTemplate | None = None,
    ) -> Object:
        """Add an object class.

        Args:
            name: The object's name, for example ``"car"``.
            shape: A ``Shape`` (or its value, such as ``"bounding_box"``).
            feature_node_hash: The object's identifier; generated when omitted.
            color: A ``#RRGGBB`` display colour; picked from a palette when omitted.
            skeleton: For a ``skeleton`` object, its ``SkeletonTemplate`` (the nodes an annotator places).
        """
        if not isinstance(name, str) or not name:
            raise OntologyError(f"An object needs a non-empty str name, got {name!r}.")
        try:
            shape = Shape(shape)
        except ValueError:
            raise OntologyError(f"{shape!r} is not a shape; expected one of {[s.value for s in Shape]}.") from None
        if skeleton is not None:
            if not isinstance(skeleton, SkeletonTemplate):
                raise OntologyError(f"skeleton must be a SkeletonTemplate, got {type(skeleton).__name__}.")
            if shape is not Shape.SKELETON:
                raise OntologyError(
                    f"Object {name!r} is a {shape.value}; only skeleton objects take a skeleton template."
                )
        feature_node_hash = self._check_new_hash(feature_node_hash)
        if color is None:
            color = _COLORS[len(self._objects) % len(_COLORS)]
        obj = Object(name, shape, feature_node_hash, color, skeleton)
        self._objects.append(obj)
        return obj

    def add_classification(self, feature_node_hash: str | None = None, is_global: bool = False) -> Classification:
        """Add a classification class; give it its root attribute with ``add_attribute``."""
        classification = Classification(self._check_new_hash(feature_node_hash), is_global)
        self._classifications.append(classification)
        return classification

    @overload
    def get_child_by_hash(self, hash: str, type_: type[ElementT]) -> ElementT: ...
    @overload
    def get_child_by_hash(self, hash: str, type_: None = None) -> OntologyElement: ...

    def get_child_by_hash(self, hash: str, type_: type[ElementT] | None = None) -> OntologyElement:
        """Return the element whose ``feature_node_hash`` is ``hash``.

        Raises:
            OntologyError: If no element has that hash, or it is not of ``type_``.
        """
        for element in self._elements():
            if element.feature_node_hash == hash:
                if type_ is not None and not isinstance(element, type_):
                    raise OntologyError(
                        f"The element with hash {hash!r} is a {type(element).__name__}, not a {type_.__name__}."
                    )
                return element
        raise OntologyError(f"The ontology has no element with feature_node_hash {hash!r}.")

    @overload
    def get_child_by_title(self, title: str, type_: type[ElementT]) -> ElementT: ...
    @overload
    def get_child_by_title(self, title: str, type_: None = None) -> OntologyElement: ...

    def get_child_by_title(self, title: str, type_: type[ElementT] | None = None) -> OntologyElement:
        """Return the one element titled ``title`` (an object's name, an attribute's name, an option's label).

        Raises:
            OntologyError: If none or several elements match.
        """
        found = [e for e in self._elements() if e.title == title and (type_ is None or isinstance(e, type_))]
        kind = type_.__name__ if type_ is not None else "element"
        if not found:
            raise OntologyError(f"The ontology has no {kind} titled {title!r}.")
        if len(found) > 1:
            raise OntologyError(
                f"The ontology has {len(found)} elements titled {title!r}; pass type_= or use get_child_by_hash."
            )
        return found[0]

    def to_dict(self) -> dict[str, Any]:
        """Return the ontology as a JSON-ready dict (the form ``from_dict`` reads)."""
        return {
            "objects": [
                {
                    "name": o.name,
                    "shape": o.shape.value,
                    "feature_node_hash": o.feature_node_hash,
                    "color": o.color,
                    "attributes": [_attribute_to_dict(a) for a in o.attributes],
                    **({"skeleton": o.skeleton.to_dict()} if o.skeleton is not None else {}),
                }
                for o in self._objects
            ],
            "classifications": [
                {
                    "feature_node_hash": c.feature_node_hash,
                    "is_global": c.is_global,
                    "attributes": [_attribute_to_dict(a) for a in c.attributes],
                }
                for c in self._classifications
            ],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Ontology:
        """Build an ontology from the dict ``to_dict`` returns.

        Raises:
            OntologyError: Naming the first malformed field, for example ``ontology.objects[2].shape``.
        """
        reader = _Reader()
        ontology = cls()
        if not isinstance(d, Mapping):
            raise OntologyError(f"ontology: expected a dict with objects and classifications, got {type(d).__name__}.")
        for i, od in enumerate(reader.items(d, "objects", "ontology")):
            path = f"ontology.objects[{i}]"
            skeleton = od.get("skeleton")
            obj = ontology.add_object(
                reader.text(od, "name", path),
                reader.shape(od, path),
                reader.hash(od, path),
                reader.text(od, "color", path),
                skeleton=None if skeleton is None else SkeletonTemplate.from_dict(skeleton, f"{path}.skeleton"),
            )
            reader.attributes(od, path, obj.attributes, allow_dynamic=True)
        for i, cd in enumerate(reader.items(d, "classifications", "ontology")):
            path = f"ontology.classifications[{i}]"
            classification = ontology.add_classification(reader.hash(cd, path), bool(cd.get("is_global", False)))
            reader.attributes(cd, path, classification.attributes, allow_dynamic=False)
            if len(classification.attributes) != 1:
                raise OntologyError(f"{path}.attributes: a classification needs exactly one root attribute.")
        return ontology

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Ontology):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Ontology({len(self._objects)} objects, {len(self._classifications)} classifications)"


def _attribute_to_dict(attribute: Attribute) -> dict[str, Any]:
    d: dict[str, Any] = {
        "type": attribute.kind,
        "name": attribute.name,
        "feature_node_hash": attribute.feature_node_hash,
        "required": attribute.required,
        "dynamic": attribute.dynamic,
    }
    if isinstance(attribute, _OptionAttribute):
        d["options"] = [
            {
                "label": o.label,
                "value": o.value,
                "feature_node_hash": o.feature_node_hash,
                "attributes": [_attribute_to_dict(a) for a in o.attributes],
            }
            for o in attribute.options
        ]
    return d


class _Reader:
    """Reads an ontology dict, naming the path of the first bad field; keeps hashes unique."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    @staticmethod
    def items(d: Mapping[str, Any], key: str, path: str) -> list[Mapping[str, Any]]:
        value = d.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise OntologyError(f"{path}.{key}: expected a list of dicts, got {value!r:.60}.")
        return value

    @staticmethod
    def text(d: Mapping[str, Any], key: str, path: str) -> str:
        value = d.get(key)
        if not isinstance(value, str) or not value:
            raise OntologyError(f"{path}.{key}: expected a non-empty string, got {value!r:.60}.")
        return value

    def hash(self, d: Mapping[str, Any], path: str) -> str:
        value = self.text(d, "feature_node_hash", path)
        if value in self.seen:
            raise OntologyError(f"{path}.feature_node_hash: {value!r} is used twice; hashes must be unique.")
        self.seen.add(value)
        return value

    @staticmethod
    def shape(d: Mapping[str, Any], path: str) -> Shape:
        try:
            return Shape(d.get("shape"))
        except ValueError:
            raise OntologyError(
                f"{path}.shape: {d.get('shape')!r} is not a shape; expected one of {[s.value for s in Shape]}."
            ) from None

    def attributes(self, d: Mapping[str, Any], path: str, into: list[Attribute], *, allow_dynamic: bool) -> None:
        for i, ad in enumerate(self.items(d, "attributes", path)):
            apath = f"{path}.attributes[{i}]"
            kind = ad.get("type")
            if not isinstance(kind, str) or kind not in _KINDS:
                raise OntologyError(f"{apath}.type: {kind!r} is not an attribute type; expected one of {list(_KINDS)}.")
            dynamic = bool(ad.get("dynamic", False))
            if dynamic and not allow_dynamic:
                raise OntologyError(f"{apath}.dynamic: only top-level object attributes can be dynamic.")
            attribute = _KINDS[kind](
                self.text(ad, "name", apath), self.hash(ad, apath), bool(ad.get("required", False)), dynamic
            )
            into.append(attribute)
            if isinstance(attribute, _OptionAttribute):
                for j, opt in enumerate(self.items(ad, "options", apath)):
                    opath = f"{apath}.options[{j}]"
                    label = self.text(opt, "label", opath)
                    value = opt.get("value")
                    option = attribute.add_option(
                        label, value if isinstance(value, str) else None, self.hash(opt, opath)
                    )
                    if opt.get("attributes") and not isinstance(attribute, RadioAttribute):
                        raise OntologyError(f"{opath}.attributes: only radio options can nest attributes.")
                    self.attributes(opt, opath, option.attributes, allow_dynamic=False)
            elif ad.get("options"):
                raise OntologyError(f"{apath}.options: a {kind} attribute has no options.")


def option_owner(attributes: Sequence[Attribute], option: Option) -> Attribute | None:
    """Return the attribute in a tree that holds ``option`` (by identity), or None."""
    for attribute in walk_attributes(attributes):
        if any(o is option for o in attribute.options):
            return attribute
    return None
