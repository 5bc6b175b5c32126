"""labelspace: label images, videos and medical volumes.

The label model (ontology, instances, coordinates, frames, spaces, label rows) is importable from
here; see the README for a tour.
"""

from labelspace import _wiring  # noqa: F401  (provides the model's save, load and from_media)
from labelspace.model._meta import Metadata
from labelspace.model.annotations import (
    AnswerForFrames,
    AnswersForFrames,
    ClassificationAnnotation,
    DynamicAnswerRuns,
    ObjectAnnotation,
    ObjectRuns,
)
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
from labelspace.model.errors import (
    ConflictError,
    FormatError,
    LabelRowError,
    LabelspaceError,
    OntologyError,
    StoreError,
)
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
from labelspace.model.skeletons import SkeletonNode, SkeletonTemplate
from labelspace.model.spaces import (
    FrameOverlapStrategy,
    ImageSpace,
    MedicalSpace,
    MultiFrameSpace,
    Space,
    VideoSpace,
)
from labelspace.widget.annotator import Annotator

__version__ = "0.1.0"

__all__ = [
    "Annotator",
    "AnswerForFrames",
    "AnswersForFrames",
    "Attribute",
    "BitmaskCoordinates",
    "BoundingBoxCoordinates",
    "ChecklistAttribute",
    "Classification",
    "ClassificationAnnotation",
    "ClassificationInstance",
    "ConflictError",
    "DynamicAnswerRuns",
    "FormatError",
    "FrameOverlapStrategy",
    "Frames",
    "GeometricCoordinates",
    "ImageSpace",
    "LabelRow",
    "LabelRowError",
    "LabelspaceError",
    "MedicalSpace",
    "Metadata",
    "MultiFrameSpace",
    "NumericAnswerValue",
    "NumericAttribute",
    "Object",
    "ObjectAnnotation",
    "ObjectInstance",
    "ObjectRuns",
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
    "SkeletonNode",
    "SkeletonTemplate",
    "Space",
    "StoreError",
    "TextAttribute",
    "VideoSpace",
    "__version__",
]
