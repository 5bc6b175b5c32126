"""How model objects reach what lives in higher layers (files, media) without importing them.

``LabelRow.save``, ``LabelRow.load``, ``LabelRow.from_media``, ``Project.save`` and
``Project.load`` need the formats and media layers, which sit above the model: the model may
not import them. Those layers' functions are provided here by name when the ``labelspace``
package is imported (see ``labelspace._wiring``), so the dependency points down.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from labelspace.model.errors import LabelspaceError

_PROVIDED: dict[str, Callable[..., Any]] = {}


def provide(name: str, function: Callable[..., Any]) -> None:
    """Make ``function`` what the model calls for ``name``."""
    _PROVIDED[name] = function


def use(name: str) -> Callable[..., Any]:
    """The function provided for ``name``.

    Raises:
        LabelspaceError: If nothing provides it (the ``labelspace`` package was not imported whole).
    """
    found = _PROVIDED.get(name)
    if found is None:
        raise LabelspaceError(f"{name} is provided by the labelspace package; import labelspace first.")
    return found
