"""The Innotater: step through images, draw boxes and pick classes in a notebook.

Edits are written straight back into the caller's own arrays and lists, at once, with their
dtype. The widget is an anywidget, so its front end ships inside this package and runs in
JupyterLab, Notebook 7, VS Code and Colab without an extension.

The state shared with the browser is declared once here (the ``sync=True`` traitlets of
``Innotater``) and once in ``js/src/model.ts``; a test checks that they name the same keys.
Images travel as binary message buffers, never as base64 in JSON.
"""

from __future__ import annotations

import itertools
import os
import re
import traceback
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import anywidget
import numpy as np
import traitlets
from anywidget.experimental import command

from labelspace.model.errors import InnotaterError
from labelspace.widget import _images
from labelspace.widget._images import EncodedImage

STATIC = Path(__file__).parent / "static"
_MISSING: Any = object()
_DEFAULT_STYLES = {
    "color1": "#FF0000",
    "color2": "#FFFFFF",
    "lineWidth": 2,
    "lineDash": [6, 4],
    "selected_color1": "#00E5FF",
    "selected_color2": "#000000",
}


def _css(layout: object, owner: str) -> dict[str, str]:
    """CSS properties from a layout given as a dict, an ipywidgets ``Layout`` or a width string."""
    if layout is None:
        return {}
    if isinstance(layout, str):
        return {"width": layout}
    if isinstance(layout, Mapping):
        items = dict(layout)
    elif hasattr(layout, "keys") and hasattr(layout, "trait_values"):  # an ipywidgets Layout
        items = {
            k: v for k, v in layout.trait_values().items() if not k.startswith("_") and k not in ("comm", "keys", "log")
        }
    else:
        raise InnotaterError(f"{owner}: layout must be a dict of CSS properties, got {type(layout).__name__}.")
    return {k.replace("_", "-"): str(v) for k, v in items.items() if v is not None and v != ""}


class Innotation:
    """Base of the Innotations: one column of data shown (inputs) or edited (targets) per sample.

    Args:
        data: The data, one entry per sample (positionally or as ``data=``).
        name: A name, to refer to it (for example as a box's ``source``); generated when omitted.
        desc: A label shown beside it; the name when omitted.
        layout: CSS properties, as a dict (or an ipywidgets ``Layout``).
        disabled: Whether it is read-only; inputs are, targets are not, unless said.
    """

    kind: ClassVar[str] = ""
    needs_data: ClassVar[bool] = True
    _unnamed: ClassVar[Iterator[int]] = itertools.count(1)

    def __init__(
        self,
        *args: Any,
        data: Any = _MISSING,
        name: str | None = None,
        desc: str | None = None,
        layout: object = None,
        disabled: bool | None = None,
        repeat_index: int = -1,
    ) -> None:
        owner = type(self).__name__
        if len(args) > 1 and any(a is not None for a in args[1:]):
            raise InnotaterError(f"{owner} takes its data as the one positional argument; got {len(args)}.")
        if args and data is not _MISSING:
            raise InnotaterError(f"{owner}: data was given both positionally and as data=; give it once.")
        self.data: Any = args[0] if args else (None if data is _MISSING else data)
        if self.needs_data and (self.data is None or not hasattr(self.data, "__len__")):
            raise InnotaterError(f"{owner} needs data: a list or array with one entry per sample.")
        self.name = name if name is not None else f"data{next(Innotation._unnamed)}"
        if not isinstance(self.name, str) or not self.name:
            raise InnotaterError(f"{owner}: name must be a non-empty str, got {name!r}.")
        self.desc = desc if desc is not None else self.name
        self.layout = _css(layout, f"{owner} {self.name!r}")
        self.disabled = disabled
        self.repeat_index = repeat_index

    def __len__(self) -> int:
        return len(self.data) if self.data is not None else 0

    def entries(self) -> int | None:
        """How many samples the data holds; None for Innotations without data of their own."""
        return len(self.data) if self.needs_data else None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"

    # -- the tree --

    def tree(self) -> list[Innotation]:
        """This Innotation and every Innotation inside it."""
        return [self]

    def check(self, innotater: Innotater) -> None:
        """Validate against the whole Innotater (sources, lengths); raise InnotaterError if wrong."""

    def spec(self) -> dict[str, Any]:
        """What the browser needs to draw this Innotation (static)."""
        return {
            "kind": self.kind,
            "name": self.name,
            "desc": self.desc,
            "layout": self.layout,
            "disabled": bool(self.disabled),
        }

    # -- one sample --

    def _slot(self, uindex: int) -> tuple[Any, Any]:
        """The container holding this Innotation's entry for a sample, and the key within it."""
        if self.repeat_index < 0:
            return self.data, uindex
        return self.data[uindex], self.repeat_index

    def get(self, uindex: int) -> Any:
        """This Innotation's raw entry for a sample."""
        container, key = self._slot(uindex)
        return container[key]

    def value(self, uindex: int) -> Any:
        """The entry as the browser shows it (JSON)."""
        return None

    def apply(self, uindex: int, value: Any) -> bool:
        """Write a value from the browser into the data; return whether anything changed."""
        raise InnotaterError(f"{type(self).__name__} {self.name!r} cannot be edited.")

    def is_empty(self, uindex: int) -> bool:
        """Whether the entry holds nothing (used to count the rows of a RepeatInnotation)."""
        return not np.any(np.asarray(self.get(uindex), dtype=object) != 0)

    def clear(self, uindex: int) -> None:
        """Reset the entry to empty (zeros)."""
        container, key = self._slot(uindex)
        current = container[key]
        if isinstance(current, np.ndarray):
            current[...] = 0
        elif isinstance(current, list):
            container[key] = [type(v)(0) if isinstance(v, (int, float)) else v for v in current]
        elif isinstance(current, str):
            container[key] = ""
        else:
            container[key] = type(current)(0)

    def copy_from(self, uindex: int, other: Innotation) -> None:
        """Copy another (same-shaped) Innotation's entry into this one's."""
        container, key = self._slot(uindex)
        source = other.get(uindex)
        container[key] = source.copy() if isinstance(source, (np.ndarray, list)) else source


def _write_numbers(container: Any, key: Any, values: Sequence[float]) -> None:
    """Write numbers over the start of the row ``container[key]``, keeping its type and dtype.

    Integer rows get rounded values; a tuple row is replaced, any other row is changed in place.
    """
    row = container[key]
    if isinstance(row, np.ndarray):
        row[: len(values)] = np.rint(values) if np.issubdtype(row.dtype, np.integer) else values
        return
    if not isinstance(row, (list, tuple)):
        raise InnotaterError(f"cannot write numbers into an entry of type {type(row).__name__}.")
    new = list(row)
    for i, v in enumerate(values):
        old = new[i]
        new[i] = round(v) if isinstance(old, (int, np.integer)) and not isinstance(old, bool) else float(v)
    if isinstance(row, tuple):
        container[key] = tuple(new)
    else:
        row[:] = new


class ImageInnotation(Innotation):
    """Images to show: file names (joined to ``path``), bytes of image files, or image arrays.

    Args:
        data: Per sample a file name, a bytes blob, or an array (HxW, HxWx1, HxWx3, HxWx4, or
            channel-first; floats are taken to be 0..1) such as a torch tensor.
        name: A name, for boxes to name as their ``source``.
        desc: A label.
        layout: CSS properties.
        path: A folder prefixed to file names.
        width: Largest display width in pixels (0: the image's own); coordinates stay in image pixels.
        height: Largest display height in pixels (0: the image's own).
        transform: A function applied to each entry before it is shown.
        colorspace: ``"BGR"`` (the default, as OpenCV loads) or ``"RGB"``: channel order of arrays.
        annotation_styles: How boxes are drawn: ``color1``, ``color2``, ``lineWidth``, ``lineDash``,
            ``selected_color1``, ``selected_color2``.
    """

    kind = "image"

    def __init__(
        self,
        *args: Any,
        path: str | os.PathLike[str] = "",
        width: int = 0,
        height: int = 0,
        transform: Callable[[Any], Any] | None = None,
        colorspace: str = "BGR",
        annotation_styles: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if colorspace not in ("BGR", "RGB"):
            raise InnotaterError(
                f"ImageInnotation {self.name!r}: colorspace must be 'RGB' or 'BGR', got {colorspace!r}. Use 'BGR' "
                f"for images loaded with OpenCV and 'RGB' for matplotlib, Pillow or torchvision."
            )
        self.colorspace: _images.Colorspace = colorspace  # type: ignore[assignment]
        for dim, value in (("width", width), ("height", height)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InnotaterError(f"ImageInnotation {self.name!r}: {dim} must be a whole number of pixels >= 0.")
        self.width, self.height = width, height
        self.path = path
        if transform is not None and not callable(transform):
            raise InnotaterError(f"ImageInnotation {self.name!r}: transform must be a function.")
        self.transform = transform
        styles = dict(annotation_styles or {})
        unknown = set(styles) - set(_DEFAULT_STYLES)
        if unknown:
            raise InnotaterError(
                f"ImageInnotation {self.name!r}: unknown annotation_styles {sorted(unknown)}; known are "
                f"{sorted(_DEFAULT_STYLES)}."
            )
        self.styles = {**_DEFAULT_STYLES, **styles}
        if isinstance(self.styles["lineDash"], (int, float)):
            self.styles["lineDash"] = [self.styles["lineDash"]]
        self._cache: OrderedDict[int, EncodedImage] = OrderedDict()
        self._check_items()

    def _check_items(self) -> None:
        if isinstance(self.data, np.ndarray) and self.data.dtype != object:
            if self.data.ndim not in (3, 4):
                raise InnotaterError(
                    f"ImageInnotation {self.name!r}: an array of images must be N x H x W or N x H x W x C (or "
                    f"N x C x H x W), got shape {self.data.shape}."
                )
            return
        if self.transform is not None:
            return
        for i, item in enumerate(self.data):
            if _images.is_path(item):
                full = Path(self.path) / item
                if not full.is_file():
                    raise InnotaterError(
                        f"ImageInnotation {self.name!r}: image file {str(full)!r} (entry {i}) does not exist."
                    )
            elif not isinstance(item, (bytes, bytearray, memoryview)) and not _images.is_array(item):
                raise InnotaterError(
                    f"ImageInnotation {self.name!r}: entry {i} is a {type(item).__name__}; expected a file name, "
                    f"image bytes or an image array."
                )

    def spec(self) -> dict[str, Any]:
        """Static description, with display size and box styles."""
        return {**super().spec(), "width": self.width, "height": self.height, "styles": self.styles, "boxes": []}

    def value(self, uindex: int) -> Any:
        """The sample's index: the image itself travels as a binary message."""
        return uindex

    def encoded(self, uindex: int) -> EncodedImage:
        """The image of a sample, encoded for the browser (the last few are cached)."""
        found = self._cache.get(uindex)
        if found is not None:
            self._cache.move_to_end(uindex)
            return found
        raw = self.get(uindex)
        item = self.transform(raw) if self.transform is not None else raw
        try:
            if _images.is_path(item):
                image = _images.from_file(Path(self.path) / item)
            elif isinstance(item, (bytes, bytearray, memoryview)):
                image = _images.from_bytes(bytes(item), f"entry {uindex}")
            elif _images.is_array(item):
                image = _images.from_array(item, self.colorspace)
            else:
                raise InnotaterError(f"entry {uindex} is a {type(item).__name__}, not an image.")
        except InnotaterError as e:
            raise InnotaterError(f"ImageInnotation {self.name!r}: {e.message}") from None
        self._cache[uindex] = image
        if len(self._cache) > 8:
            self._cache.popitem(last=False)
        return image


class BoundingBoxInnotation(Innotation):
    """Boxes as rows of ``x, y, w, h`` in image pixels, drawn on their source image and editable as text.

    Args:
        data: Per sample a row ``[x, y, w, h]`` (an N x 4 array, or inside a RepeatInnotation N x R x 4).
        source: The ``name`` of the ImageInnotation the boxes belong to; needed when there are several.
    """

    kind = "bbox"

    def __init__(self, *args: Any, source: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.source = source
        self.image: ImageInnotation | None = None
        first = np.asarray(self.get(0)) if len(self) else np.zeros(4)
        if first.ndim != 1 or first.size < 4:
            raise InnotaterError(
                f"BoundingBoxInnotation {self.name!r}: each entry must be a row of 4 numbers x, y, w, h; the first "
                f"is {first.tolist()!r}."
            )

    def check(self, innotater: Innotater) -> None:
        """Find the source image."""
        images = [i for i in innotater.all_innotations() if isinstance(i, ImageInnotation)]
        if self.source is None:
            if len(images) != 1:
                raise InnotaterError(
                    f"BoundingBoxInnotation {self.name!r} has no source and the Innotater has {len(images)} "
                    f"ImageInnotations; pass source='<image name>'."
                )
            self.image = images[0]
        else:
            self.image = next((i for i in images if i.name == self.source), None)
            if self.image is None:
                raise InnotaterError(
                    f"BoundingBoxInnotation {self.name!r}: source {self.source!r} names no ImageInnotation; the "
                    f"images are {[i.name for i in images]}."
                )

    def spec(self) -> dict[str, Any]:
        """Static description, with the source image's name."""
        return {**super().spec(), "source": self.image.name if self.image else None}

    def value(self, uindex: int) -> list[float]:
        """The box as four numbers."""
        return [float(v) for v in np.asarray(self.get(uindex), dtype=float)[:4]]

    def apply(self, uindex: int, value: Any) -> bool:
        """Write a box ``[x, y, w, h]`` (or its text form ``"x, y, w, h"``)."""
        if isinstance(value, str):
            parts = [p for p in re.split(r"[\s,]+", value.strip()) if p]
            try:
                value = [float(p) for p in parts]
            except ValueError:
                raise InnotaterError(f"{self.name}: write a box as four numbers 'x, y, w, h', got {value!r}.") from None
        if (
            not isinstance(value, (list, tuple))
            or len(value) != 4
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v) for v in value)
        ):
            raise InnotaterError(f"{self.name}: a box is four numbers x, y, w, h, got {value!r}.")
        x, y, w, h = (float(v) for v in value)
        if w < 0:
            x, w = x + w, -w
        if h < 0:
            y, h = y + h, -h
        if self.value(uindex) == [x, y, w, h]:
            return False
        container, key = self._slot(uindex)
        _write_numbers(container, key, [x, y, w, h])
        return True


def _class_index(row: np.ndarray, depth: str) -> int:
    if depth == "onehot":
        return int(row.argmax()) if row.any() else -1
    if depth == "colvector":
        return int(row.reshape(-1)[0])
    return int(row)


class MultiClassInnotation(Innotation):
    """A class per sample: class indexes (1-d or a column vector) or one-hot rows.

    Args:
        data: Per sample a class index, a one-element row holding it, or a one-hot row.
        classes: The class names; guessed from the data (``"0"``, ``"1"``, ...) when omitted.
        dropdown: Show a drop-down list instead of an open list.
    """

    kind = "multiclass"

    def __init__(self, *args: Any, classes: Sequence[str] | None = None, dropdown: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dropdown = bool(dropdown)
        values = self._all_values()
        per_sample = values.shape[1:] if self.repeat_index < 0 else values.shape[2:]
        if len(per_sample) == 0:
            self.depth = "simple"
        elif len(per_sample) == 1 and per_sample[0] == 1:
            self.depth = "colvector"
        elif len(per_sample) == 1:
            self.depth = "onehot"
        else:
            raise InnotaterError(
                f"{type(self).__name__} {self.name!r}: each entry must be a class index, a one-element row or a "
                f"one-hot row; entries have shape {per_sample}."
            )
        self.classes = self._classes(values, classes)

    def _all_values(self) -> np.ndarray:
        try:
            values = np.asarray(self.data)
        except ValueError:
            raise InnotaterError(
                f"{type(self).__name__} {self.name!r}: entries must all have the same shape."
            ) from None
        if values.dtype == object or not (np.issubdtype(values.dtype, np.number) or values.dtype == np.bool_):
            raise InnotaterError(
                f"{type(self).__name__} {self.name!r}: entries must be numbers (class indexes or one-hot rows), got "
                f"{values.dtype}."
            )
        return values

    def _classes(self, values: np.ndarray, classes: Sequence[str] | None) -> list[str]:
        owner = f"{type(self).__name__} {self.name!r}"
        if self.depth == "onehot":
            bad = ~(((values == 0) | (values == 1)).all(axis=-1) & (values.sum(axis=-1) <= 1))
            if bad.any():
                where = tuple(int(i) for i in np.argwhere(bad)[0])
                raise InnotaterError(
                    f"{owner}: one-hot row {where[0] if len(where) == 1 else where} is "
                    f"{values[where].tolist()}; a one-hot row holds 0s and at most one 1."
                )
            n = values.shape[-1]
            names = [str(i) for i in range(n)] if classes is None else [str(c) for c in classes]
            if len(names) != n:
                raise InnotaterError(f"{owner}: {len(names)} classes given but one-hot rows have {n} columns.")
            return names
        if values.size and (values != np.round(values)).any():
            raise InnotaterError(f"{owner}: class indexes must be whole numbers.")
        top = int(values.max()) if values.size else 0
        if (values < 0).any():
            raise InnotaterError(f"{owner}: class indexes must be 0 or more; found {int(values.min())}.")
        if classes is None:
            if top == 0:
                raise InnotaterError(
                    f"{owner}: every entry is class 0, so the number of classes cannot be guessed; pass classes=[...]."
                )
            return [str(i) for i in range(top + 1)]
        names = [str(c) for c in classes]
        if top >= len(names):
            raise InnotaterError(f"{owner}: the data holds class index {top} but only {len(names)} classes are given.")
        return names

    def spec(self) -> dict[str, Any]:
        """Static description, with the class names."""
        return {**super().spec(), "classes": self.classes, "dropdown": self.dropdown}

    def value(self, uindex: int) -> int:
        """The class index, or -1 for an all-zero one-hot row."""
        return _class_index(np.asarray(self.get(uindex)), self.depth)

    def apply(self, uindex: int, value: Any) -> bool:
        """Write a class index (or a class name)."""
        if isinstance(value, str):
            if value not in self.classes:
                raise InnotaterError(f"{self.name}: {value!r} is not one of the classes {self.classes}.")
            value = self.classes.index(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < len(self.classes):
            raise InnotaterError(f"{self.name}: a class is an index 0..{len(self.classes) - 1}, got {value!r}.")
        if self.value(uindex) == value:
            return False
        container, key = self._slot(uindex)
        if self.depth == "onehot":
            row = [0] * len(self.classes)
            row[value] = 1
            _write_numbers(container, key, row)
        elif self.depth == "colvector":
            _write_numbers(container, key, [value])
        elif isinstance(container[key], (bool, np.bool_)):
            container[key] = bool(value)
        else:
            container[key] = value  # an int into a list, or cast to the array's dtype
        return True


class BinaryClassInnotation(MultiClassInnotation):
    """A yes/no per sample, shown as a checkbox.

    Args:
        data: Per sample True/False (or 1/0), a one-element row, or a two-column one-hot row.
        classes: Names of the two values, shown as the checkbox's title (default ``["False", "True"]``).
    """

    kind = "binary"

    def __init__(self, *args: Any, classes: Sequence[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, classes=list(classes) if classes is not None else ["False", "True"], **kwargs)
        if len(self.classes) != 2:
            raise InnotaterError(f"BinaryClassInnotation {self.name!r}: classes must name exactly two values.")

    def value(self, uindex: int) -> bool:
        """Whether the box is ticked."""
        return _class_index(np.asarray(self.get(uindex)), self.depth) == 1

    def apply(self, uindex: int, value: Any) -> bool:
        """Write True or False."""
        if not isinstance(value, bool):
            raise InnotaterError(f"{self.name}: a binary value is true or false, got {value!r}.")
        return super().apply(uindex, int(value)) if self.value(uindex) != value else False


class TextInnotation(Innotation):
    """Text per sample, shown in a text box (editable as a target).

    Args:
        data: Per sample a string.
        multiline: A multi-line text area (True) or a single line.
    """

    kind = "text"

    def __init__(self, *args: Any, multiline: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.multiline = bool(multiline)

    def spec(self) -> dict[str, Any]:
        """Static description."""
        return {**super().spec(), "multiline": self.multiline}

    def value(self, uindex: int) -> str:
        """The text."""
        return str(self.get(uindex))

    def is_empty(self, uindex: int) -> bool:
        """Whether the text is empty."""
        return self.value(uindex) in ("", "0")

    def apply(self, uindex: int, value: Any) -> bool:
        """Write the text."""
        if not isinstance(value, str):
            raise InnotaterError(f"{self.name}: text must be a string, got {type(value).__name__}.")
        if self.value(uindex) == value:
            return False
        container, key = self._slot(uindex)
        if (
            isinstance(container, np.ndarray)
            and container.dtype.kind == "U"
            and len(value) > container.dtype.itemsize // 4
        ):
            raise InnotaterError(
                f"{self.name}: the text is {len(value)} characters but the array holds at most "
                f"{container.dtype.itemsize // 4} ({container.dtype}); nothing was written. Use dtype=object."
            )
        container[key] = value
        return True


class ButtonInnotation(Innotation):
    """A button that calls ``on_click(uindex, repeat_index, name=..., desc=...)``.

    A true return value tells the Innotater that the sample changed: it is marked for saving and
    redrawn from the data.

    Args:
        data: Ignored; may be None.
        on_click: The function to call.
    """

    kind = "button"
    needs_data = False

    def __init__(self, *args: Any, on_click: Callable[..., Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if on_click is not None and not callable(on_click):
            raise InnotaterError(f"ButtonInnotation {self.name!r}: on_click must be a function.")
        self.on_click = on_click

    def is_empty(self, uindex: int) -> bool:
        """A button holds nothing."""
        return True

    def clear(self, uindex: int) -> None:
        """A button holds nothing."""

    def copy_from(self, uindex: int, other: Innotation) -> None:
        """A button holds nothing."""

    def click(self, uindex: int) -> bool:
        """Call ``on_click``; return its verdict."""
        if self.on_click is None:
            return False
        return bool(self.on_click(uindex, self.repeat_index, name=self.name, desc=self.desc))


class GroupedInnotation(Innotation):
    """Innotations shown side by side."""

    kind = "group"
    needs_data = False

    def __init__(self, *innotations: Innotation, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for child in innotations:
            if not isinstance(child, Innotation):
                raise InnotaterError(f"GroupedInnotation takes Innotations, got {type(child).__name__}.")
        self.children = list(innotations)

    def tree(self) -> list[Innotation]:
        """The group and everything in it."""
        return [self, *(i for c in self.children for i in c.tree())]

    def spec(self) -> dict[str, Any]:
        """Static description with the children's."""
        return {**super().spec(), "children": [c.spec() for c in self.children]}


class RepeatInnotation(Innotation):
    """Rows of Innotations repeated within one sample, such as one box and class per animal.

    Each configuration tuple is ``(InnotationSubclass, data)`` or ``(InnotationSubclass, data, kwargs)``
    where ``data`` has an extra second dimension of at least ``max_repeats`` rows. A sample shows as
    many rows as it uses (at least ``min_repeats``); rows can be added and removed.

    Args:
        configuration_tuples: The columns of a row.
        min_repeats: Rows always shown.
        max_repeats: Rows at most.
    """

    kind = "repeat"
    needs_data = False

    def __init__(self, *configuration_tuples: Any, min_repeats: int = 0, max_repeats: int = 10, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(min_repeats, int) or not isinstance(max_repeats, int) or not 0 <= min_repeats <= max_repeats:
            raise InnotaterError(
                f"RepeatInnotation {self.name!r}: need 0 <= min_repeats <= max_repeats, got {min_repeats} and "
                f"{max_repeats}."
            )
        self.min_repeats, self.max_repeats = min_repeats, max_repeats
        if not configuration_tuples:
            raise InnotaterError(f"RepeatInnotation {self.name!r} needs at least one (InnotationSubclass, data) tuple.")
        self.columns: list[list[Innotation]] = []
        for i, config in enumerate(configuration_tuples):
            if not isinstance(config, (tuple, list)) or len(config) not in (2, 3):
                raise InnotaterError(
                    f"RepeatInnotation {self.name!r}: configuration {i} must be (InnotationSubclass, data) or "
                    f"(InnotationSubclass, data, kwargs), got {config!r:.60}."
                )
            cls, data = config[0], config[1]
            options = dict(config[2]) if len(config) == 3 else {}
            if not (isinstance(cls, type) and issubclass(cls, Innotation)) or cls in (
                RepeatInnotation,
                GroupedInnotation,
            ):
                raise InnotaterError(
                    f"RepeatInnotation {self.name!r}: configuration {i} must start with an Innotation class such as "
                    f"BoundingBoxInnotation (the class, not an instance)."
                )
            if data is not None and (not hasattr(data, "__len__") or len(data) == 0 or len(data[0]) < max_repeats):
                raise InnotaterError(
                    f"RepeatInnotation {self.name!r}: the data of configuration {i} needs a second dimension of at "
                    f"least max_repeats={max_repeats} rows."
                )
            base = options.pop("name", None) or f"{self.name}.{i}"
            self.columns.append(
                [cls(data, name=f"{base}_{row}", repeat_index=row, **options) for row in range(max_repeats)]
            )
        self._rows: dict[int, int] = {}

    def entries(self) -> int | None:
        """How many samples the columns' data hold (they are checked to agree)."""
        lengths = {len(col[0]) for col in self.columns if col[0].needs_data}
        if len(lengths) > 1:
            raise InnotaterError(
                f"RepeatInnotation {self.name!r}: its columns' data have different lengths {sorted(lengths)}."
            )
        return lengths.pop() if lengths else None

    def tree(self) -> list[Innotation]:
        """The repeat and every cell of it."""
        return [self, *(cell for col in self.columns for cell in col)]

    def check(self, innotater: Innotater) -> None:
        """Check every cell (box sources)."""
        for col in self.columns:
            for cell in col:
                cell.check(innotater)

    def spec(self) -> dict[str, Any]:
        """Static description: one template per column."""
        columns = []
        for col in self.columns:
            template = col[0].spec()
            template["name"] = col[0].name.rsplit("_", 1)[0]
            columns.append(template)
        return {**super().spec(), "columns": columns, "min": self.min_repeats, "max": self.max_repeats}

    def rows(self, uindex: int) -> int:
        """How many rows a sample shows: those in use, at least ``min_repeats``."""
        found = self._rows.get(uindex)
        if found is None:
            boxes = [col for col in self.columns if isinstance(col[0], BoundingBoxInnotation)]
            deciding = boxes or self.columns
            used = [r for r in range(self.max_repeats) if not all(col[r].is_empty(uindex) for col in deciding)]
            found = self._rows[uindex] = max(self.min_repeats, used[-1] + 1 if used else 0)
        return found

    def value(self, uindex: int) -> dict[str, Any]:
        """The rows in use, each a list of the columns' values."""
        n = self.rows(uindex)
        return {"rows": n, "items": [[col[r].value(uindex) for col in self.columns] for r in range(n)]}

    def cell(self, row: int, column: int) -> Innotation:
        """The Innotation of one cell."""
        if not 0 <= column < len(self.columns) or not 0 <= row < self.max_repeats:
            raise InnotaterError(f"{self.name}: no cell at row {row}, column {column}.")
        return self.columns[column][row]

    def add_row(self, uindex: int) -> bool:
        """Show one more row (up to ``max_repeats``)."""
        n = self.rows(uindex)
        if n >= self.max_repeats:
            raise InnotaterError(f"{self.name}: already {n} rows, the most max_repeats allows.")
        self._rows[uindex] = n + 1
        return False

    def remove_row(self, uindex: int, row: int) -> bool:
        """Delete a row: later rows move up and the last one is emptied."""
        n = self.rows(uindex)
        if not 0 <= row < n:
            raise InnotaterError(f"{self.name}: no row {row} to remove; the sample has {n} rows.")
        if n <= self.min_repeats:
            raise InnotaterError(f"{self.name}: at least {self.min_repeats} rows must stay (min_repeats).")
        for col in self.columns:
            for r in range(row, n - 1):
                col[r].copy_from(uindex, col[r + 1])
            col[n - 1].clear(uindex)
        self._rows[uindex] = n - 1
        return True


def _flatten(items: Innotation | Sequence[Innotation] | None, role: str) -> list[Innotation]:
    if items is None:
        return []
    if isinstance(items, Innotation):
        items = [items]
    if not isinstance(items, (list, tuple)):
        raise InnotaterError(f"{role} must be an Innotation or a list of them, got {type(items).__name__}.")
    for item in items:
        if not isinstance(item, Innotation):
            raise InnotaterError(f"{role} must hold Innotations, got {type(item).__name__}.")
    return list(items)


class Innotater(anywidget.AnyWidget):
    """Step through samples, showing ``inputs`` and editing ``targets`` in place.

    Args:
        inputs: An Innotation or a list of them, shown (images, texts).
        targets: An Innotation or a list of them, edited; edits go straight into their data.
        indexes: Show only some samples: a list of indexes, or a boolean mask as long as the data.
        keyboard_shortcuts: ``n`` / ``p`` for next / previous and ``s`` for save when the widget has focus.
        save_hook: ``save_hook(uindexes)`` is called with the indexes changed since the last save when
            Save is pressed; a true return marks them saved.
        vertical: Stack inputs above targets instead of side by side.
    """

    _esm = STATIC / "innotater.js"
    _css = STATIC / "innotater.css"

    # The state shared with the browser; js/src/model.ts declares the same keys.
    index = traitlets.Int(0).tag(sync=True)
    count = traitlets.Int(0).tag(sync=True)
    uindex = traitlets.Int(0).tag(sync=True)
    spec = traitlets.Dict().tag(sync=True)
    values = traitlets.Dict().tag(sync=True)
    dirty = traitlets.Bool(False).tag(sync=True)
    keyboard_shortcuts = traitlets.Bool(True).tag(sync=True)
    message = traitlets.Unicode("").tag(sync=True)

    def __init__(
        self,
        inputs: Innotation | Sequence[Innotation] | None,
        targets: Innotation | Sequence[Innotation] | None,
        indexes: Sequence[int] | Sequence[bool] | np.ndarray | None = None,
        keyboard_shortcuts: bool = True,
        save_hook: Callable[[list[int]], Any] | None = None,
        vertical: bool = False,
    ) -> None:
        self.inputs = _flatten(inputs, "inputs")
        self.targets = _flatten(targets, "targets")
        if not self.inputs and not self.targets:
            raise InnotaterError("The Innotater needs inputs or targets.")
        if save_hook is not None and not callable(save_hook):
            raise InnotaterError("save_hook must be a function taking a list of indexes.")
        self.save_hook = save_hook
        self._by_name: dict[str, Innotation] = {}
        for top, role in [(i, "input") for i in self.inputs] + [(t, "target") for t in self.targets]:
            for innotation in top.tree():
                if innotation.name in self._by_name:
                    raise InnotaterError(f"Two Innotations are named {innotation.name!r}; names must be unique.")
                self._by_name[innotation.name] = innotation
                if innotation.disabled is None:
                    innotation.disabled = role == "input"
        self.length = self._check_lengths()
        for innotation in list(self._by_name.values()):
            innotation.check(self)
        self.uindexes = self._resolve_indexes(indexes)
        self.dirty_uindexes: set[int] = set()
        self._sent: OrderedDict[tuple[str, int], None] = OrderedDict()
        spec = {
            "inputs": [i.spec() for i in self.inputs],
            "targets": [t.spec() for t in self.targets],
            "vertical": bool(vertical),
            "save": save_hook is not None,
        }
        self._link_boxes(spec)
        super().__init__(spec=spec, count=len(self.uindexes), keyboard_shortcuts=bool(keyboard_shortcuts))
        self.on_msg(self._on_message)
        self.observe(self._on_index, names="index")
        self.update_ui()

    # -- building --

    def all_innotations(self) -> list[Innotation]:
        """Every Innotation, inputs first."""
        return list(self._by_name.values())

    def _check_lengths(self) -> int:
        lengths = [(i, n) for i in self._by_name.values() if i.repeat_index < 0 and (n := i.entries()) is not None]
        if not lengths:
            raise InnotaterError("The Innotater needs at least one Innotation with data.")
        first, n = lengths[0]
        for innotation, m in lengths[1:]:
            if m != n:
                raise InnotaterError(
                    f"Data lengths disagree: {type(first).__name__} {first.name!r} has {n} entries but "
                    f"{type(innotation).__name__} {innotation.name!r} has {m}."
                )
        if n == 0:
            raise InnotaterError(f"{type(first).__name__} {first.name!r} has no data.")
        return n

    def _resolve_indexes(self, indexes: Any) -> list[int]:
        if indexes is None:
            return list(range(self.length))
        array = np.asarray(indexes)
        if array.ndim == 2 and array.shape[1] == 1:
            array = array[:, 0]
        if array.ndim != 1 or array.size == 0:
            raise InnotaterError("indexes must be a non-empty list of indexes or a boolean mask.")
        if array.dtype == np.bool_:
            if array.size != self.length:
                raise InnotaterError(
                    f"indexes as a boolean mask must be as long as the data ({self.length}), got {array.size}."
                )
            picked = np.flatnonzero(array).tolist()
            if not picked:
                raise InnotaterError("indexes as a boolean mask must have at least one True value.")
            return [int(i) for i in picked]
        if not np.issubdtype(array.dtype, np.integer):
            raise InnotaterError(f"indexes must be ints or booleans, got {array.dtype}.")
        bad = array[(array < 0) | (array >= self.length)]
        if bad.size:
            raise InnotaterError(f"index {int(bad[0])} is outside the data (0..{self.length - 1}).")
        return [int(i) for i in array]

    def _link_boxes(self, spec: dict[str, Any]) -> None:
        """Tell each image spec which box targets are drawn on it."""
        images: dict[str, dict[str, Any]] = {}

        def walk(items: list[dict[str, Any]]) -> None:
            for item in items:
                if item["kind"] == "image":
                    images[item["name"]] = item
                walk(item.get("children", []))

        walk(spec["inputs"] + spec["targets"])
        for innotation in self._by_name.values():
            if isinstance(innotation, BoundingBoxInnotation) and innotation.image and innotation.repeat_index < 0:
                images[innotation.image.name]["boxes"].append({"target": innotation.name})
        for innotation in self._by_name.values():
            if isinstance(innotation, RepeatInnotation):
                for c, col in enumerate(innotation.columns):
                    first = col[0]
                    if isinstance(first, BoundingBoxInnotation) and first.image is not None:
                        images[first.image.name]["boxes"].append({"target": innotation.name, "column": c})

    # -- showing a sample --

    def current_uindex(self) -> int:
        """The underlying index of the sample shown."""
        return self.uindexes[self.index]

    def update_ui(self) -> None:
        """Redraw the sample shown from the data (after changing the data from Python, say)."""
        uindex = self.current_uindex()
        self.uindex = uindex
        self.values = {
            name: innotation.value(uindex)
            for name, innotation in self._by_name.items()
            if innotation.repeat_index < 0 and not isinstance(innotation, GroupedInnotation)
        }
        self._send_images()

    def _on_index(self, change: dict[str, Any]) -> None:
        if not 0 <= change["new"] < len(self.uindexes):
            self.index = max(0, min(change["new"], len(self.uindexes) - 1))
            return
        self.update_ui()

    def _images(self) -> list[ImageInnotation]:
        return [i for i in self._by_name.values() if isinstance(i, ImageInnotation)]

    def _send_images(self) -> None:
        """Send the shown sample's images, then the next two and the previous one (prefetch)."""
        order = [self.index, self.index + 1, self.index - 1, self.index + 2]
        for position in order:
            if 0 <= position < len(self.uindexes):
                for image in self._images():
                    self._send_image(image, position)

    def _image_message(self, image: ImageInnotation, position: int) -> tuple[dict[str, Any], bytes]:
        uindex = self.uindexes[position]
        encoded = image.encoded(uindex)
        message = {
            "kind": "image",
            "name": image.name,
            "uindex": uindex,
            "index": position,
            "mime": encoded.mime,
            "width": encoded.width,
            "height": encoded.height,
        }
        return message, encoded.data

    def _send_image(self, image: ImageInnotation, position: int, force: bool = False) -> None:
        """Send the image at ``position`` of the samples shown (the browser caches it by position)."""
        key = (image.name, position)
        if key in self._sent and not force:
            self._sent.move_to_end(key)
            return
        try:
            message, data = self._image_message(image, position)
        except InnotaterError as e:
            self.message = e.message
            return
        self.send(message, [data])
        self._sent[key] = None
        if len(self._sent) > 24:  # the browser keeps as many
            self._sent.popitem(last=False)

    @command
    def _image(self, msg: Any, buffers: list[bytes]) -> tuple[dict[str, Any], list[bytes]]:
        """The browser's request for an image its cache lacks: ``{"name", "index"}``; never raises."""
        image = self._by_name.get(str(msg.get("name"))) if isinstance(msg, Mapping) else None
        position = msg.get("index") if isinstance(msg, Mapping) else None
        if (
            not isinstance(image, ImageInnotation)
            or not isinstance(position, int)
            or not 0 <= position < len(self.uindexes)
        ):
            return {"kind": "error", "message": f"There is no image to show for {msg!r:.80}."}, []
        try:
            message, data = self._image_message(image, position)
        except InnotaterError as e:
            return {"kind": "error", "message": e.message}, []
        return message, [data]

    # -- edits from the browser --

    def _on_message(self, _widget: object, content: dict[str, Any], buffers: list[bytes]) -> None:
        try:
            self.handle(content)
        except InnotaterError as e:
            self.message = e.message

    def handle(self, content: Mapping[str, Any]) -> None:
        """Carry out one message from the browser (also usable from Python, for tests and scripts).

        Messages: ``{"kind": "set", "name", "value", ["row", "column"]}``, ``{"kind": "add_row" |
        "remove_row", "name", ["row"]}``, ``{"kind": "click", "name", ["row", "column"]}``,
        ``{"kind": "save"}``, ``{"kind": "want", "name", "index"}``, ``{"kind": "ready"}``.
        """
        kind = content.get("kind")
        if kind == "anywidget-command":  # anywidget's requests (``_image``) share the channel
            return
        uindex = self.current_uindex()
        if kind == "ready":
            self._sent.clear()
            self.update_ui()
            return
        if kind == "want":
            image = self._by_name.get(str(content.get("name")))
            position = content.get("index")
            if isinstance(image, ImageInnotation) and isinstance(position, int) and 0 <= position < len(self.uindexes):
                self._send_image(image, position, force=True)
            return
        if kind == "save":
            self.save()
            return
        target = self._by_name.get(str(content.get("name")))
        if target is None:
            raise InnotaterError(f"there is no Innotation named {content.get('name')!r}.")
        if isinstance(target, RepeatInnotation) and "column" in content:
            target = target.cell(int(content.get("row", -1)), int(content["column"]))
        self.message = ""
        changed = False
        if kind == "set":
            if target.disabled:
                raise InnotaterError(f"{target.name} is read-only.")
            changed = target.apply(uindex, content.get("value"))
        elif kind == "add_row" and isinstance(target, RepeatInnotation):
            target.add_row(uindex)
        elif kind == "remove_row" and isinstance(target, RepeatInnotation):
            changed = target.remove_row(uindex, int(content.get("row", -1)))
        elif kind == "click" and isinstance(target, ButtonInnotation):
            changed = self._call_hook(lambda: target.click(uindex), "on_click")
        else:
            raise InnotaterError(f"cannot {kind!r} {type(target).__name__} {target.name!r}.")
        if changed:
            self._mark_dirty(uindex)
        self.update_ui()

    def _mark_dirty(self, uindex: int) -> None:
        self.dirty_uindexes.add(uindex)
        self.dirty = True

    def _call_hook(self, call: Callable[[], Any], what: str) -> bool:
        try:
            return bool(call())
        except Exception as e:  # a user's hook: report it in the widget and keep going
            traceback.print_exc()
            self.message = f"{what} raised {type(e).__name__}: {e}"
            return False

    def save(self) -> bool:
        """Call ``save_hook`` with the changed indexes; on a true return, mark them saved."""
        if self.save_hook is None:
            raise InnotaterError("there is no save_hook to save with; pass save_hook= to the Innotater.")
        hook = self.save_hook
        saved = self._call_hook(lambda: hook(sorted(self.dirty_uindexes)), "save_hook")
        if saved:
            self.dirty_uindexes.clear()
            self.dirty = False
        return saved


__all__ = [
    "BinaryClassInnotation",
    "BoundingBoxInnotation",
    "ButtonInnotation",
    "GroupedInnotation",
    "ImageInnotation",
    "Innotater",
    "InnotaterError",
    "Innotation",
    "MultiClassInnotation",
    "RepeatInnotation",
    "TextInnotation",
]
