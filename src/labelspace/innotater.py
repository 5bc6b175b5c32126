"""The Innotater API: ``from labelspace.innotater import *``.

Code written for the original jupyter-innotater runs unchanged with this import line; see
``labelspace.widget.innotater`` for the classes.
"""

from labelspace.widget.innotater import (
    BinaryClassInnotation,
    BoundingBoxInnotation,
    ButtonInnotation,
    GroupedInnotation,
    ImageInnotation,
    Innotater,
    InnotaterError,
    Innotation,
    MultiClassInnotation,
    RepeatInnotation,
    TextInnotation,
)

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
