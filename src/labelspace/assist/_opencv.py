"""OpenCV, imported when tracking starts; a missing or partial install names the pip command.

OpenCV is the ``labelspace[track]`` extra (``opencv-contrib-python-headless``). Its KCF and CSRT
trackers live in the contrib modules; depending on the version their factories are
``cv2.TrackerKCF_create`` or ``cv2.legacy.TrackerKCF_create`` (both are looked for). Optical flow
is in the main modules, so points, polylines, polygons and skeletons need no contrib build.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Literal

from labelspace.model.errors import MissingExtraError

BoxMethod = Literal["kcf", "csrt"]
"""The box trackers: ``"kcf"`` (kernelized correlation filters, fast) or ``"csrt"`` (slower, follows scale)."""

_INSTALL = "pip install 'labelspace[track]'"
_FACTORIES: dict[str, str] = {"kcf": "TrackerKCF_create", "csrt": "TrackerCSRT_create"}


def opencv() -> Any:
    """The ``cv2`` module, or a ``MissingExtraError`` that says what to install."""
    try:
        return importlib.import_module("cv2")
    except ImportError:
        raise MissingExtraError(
            f"Tracking needs OpenCV (the 'cv2' module of the opencv-contrib-python-headless package): {_INSTALL}."
        ) from None


def box_tracker_factory(cv2: Any, method: BoxMethod) -> Callable[[], Any]:
    """The factory of the KCF or CSRT tracker, from the main or the legacy namespace.

    Raises:
        MissingExtraError: If the installed OpenCV was built without the contrib trackers.
    """
    name = _FACTORIES[method]
    for namespace in (cv2, getattr(cv2, "legacy", None)):
        factory = getattr(namespace, name, None)
        if factory is not None:
            return factory  # type: ignore[no-any-return]
    raise MissingExtraError(
        f"The {method.upper()} tracker is in OpenCV's contrib modules, which the installed OpenCV "
        f"{getattr(cv2, '__version__', '')} lacks. Uninstall the other OpenCV packages (opencv-python, "
        f"opencv-python-headless), then {_INSTALL}."
    )
