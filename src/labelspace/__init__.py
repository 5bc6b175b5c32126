"""labelspace: label images, videos and medical volumes.

The label model (ontology, instances, coordinates, frames, spaces, label rows) is importable from
here; see the README for a tour.
"""

from labelspace.model.coordinates import (
    BitmaskCoordinates,
    BoundingBoxCoordinates,
    GeometricCoordinates,
    PointCoordinate,
    PolygonCoordinates,
    PolylineCoordinates,
    RotatableBoundingBoxCoordinates,
    SkeletonCoordinate,
    SkeletonCoordinates,
)
from labelspace.model.errors import LabelRowError, LabelspaceError, OntologyError
from labelspace.model.frames import Frames, Range
from labelspace.model.instances import ClassificationInstance, NumericAnswerValue, ObjectInstance
from labelspace.model.label_row import LabelRow
from labelspace.model.ontology import (
    Attribute,
    ChecklistAttribute,
    Classification,
    NumericAttribute,
    Object,
    Ontology,
    Option,
    RadioAttribute,
    Shape,
    TextAttribute,
)
from labelspace.model.project import Project
from labelspace.model.spaces import (
    AnswerForFrames,
    AnswersForFrames,
    ClassificationAnnotation,
    FrameOverlapStrategy,
    ImageSpace,
    MedicalSpace,
    MultiFrameSpace,
    ObjectAnnotation,
    Space,
    VideoSpace,
)

__version__ = "0.1.0"

__all__ = [
    "AnswerForFrames",
    "AnswersForFrames",
    "Attribute",
    "BitmaskCoordinates",
    "BoundingBoxCoordinates",
    "ChecklistAttribute",
    "Classification",
    "ClassificationAnnotation",
    "ClassificationInstance",
    "FrameOverlapStrategy",
    "Frames",
    "GeometricCoordinates",
    "ImageSpace",
    "LabelRow",
    "LabelRowError",
    "LabelspaceError",
    "MedicalSpace",
    "MultiFrameSpace",
    "NumericAnswerValue",
    "NumericAttribute",
    "Object",
    "ObjectAnnotation",
    "ObjectInstance",
    "Ontology",
    "OntologyError",
    "Option",
    "PointCoordinate",
    "PolygonCoordinates",
    "PolylineCoordinates",
    "Project",
    "RadioAttribute",
    "Range",
    "RotatableBoundingBoxCoordinates",
    "Shape",
    "SkeletonCoordinate",
    "SkeletonCoordinates",
    "Space",
    "TextAttribute",
    "VideoSpace",
    "__version__",
]
