"""``LabelRow``: the labels of one data item (an image, a video, a volume) or of a data group."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal, Optional, overload

from labelspace.model import _wiring
from labelspace.model.errors import LabelRowError
from labelspace.model.ontology import Ontology
from labelspace.model.spaces import ImageSpace, MedicalSpace, MultiFrameSpace, Space, VideoSpace

SpaceType = Literal["image", "video", "medical"]


class LabelRow:
    """The spaces of one data item or data group, labelled against one ontology.

    A single image or video is a label row with one space; a data group (two cameras, a scan and
    its report) is a label row with several.

    Args:
        ontology: The ontology every instance on the row's spaces comes from.
    """

    def __init__(self, ontology: Ontology) -> None:
        if not isinstance(ontology, Ontology):
            raise LabelRowError(f"LabelRow needs an Ontology, got {type(ontology).__name__}.")
        self._ontology = ontology
        self._spaces: dict[str, Space] = {}

    @property
    def ontology(self) -> Ontology:
        """The ontology of the row."""
        return self._ontology

    def _add(self, space: Space) -> None:
        if space.space_id in self._spaces:
            raise LabelRowError(f"This label row already has a space {space.space_id!r}; space ids must be unique.")
        self._spaces[space.space_id] = space

    def add_image_space(self, space_id: str, width: int, height: int) -> ImageSpace:
        """Add a space for one image of ``width`` x ``height`` pixels."""
        space = ImageSpace(space_id, width, height, self._ontology)
        self._add(space)
        return space

    def add_video_space(
        self, space_id: str, number_of_frames: int, width: int, height: int, fps: float | None = None
    ) -> VideoSpace:
        """Add a space for a video of ``number_of_frames`` frames of ``width`` x ``height`` pixels."""
        space = VideoSpace(space_id, number_of_frames, width, height, self._ontology, fps=fps)
        self._add(space)
        return space

    def add_medical_space(
        self, space_id: str, number_of_frames: int, width: int, height: int, modality: str
    ) -> MedicalSpace:
        """Add a space for a DICOM or NIfTI volume whose ``number_of_frames`` slices are ``width`` x ``height``.

        Args:
            space_id: The space's id.
            number_of_frames: The number of slices.
            width: Slice width in pixels.
            height: Slice height in pixels.
            modality: ``"dicom"`` or ``"nifti"``.
        """
        space = MedicalSpace(space_id, number_of_frames, width, height, modality, self._ontology)
        self._add(space)
        return space

    @overload
    def get_space(self, *, id: str, type_: Literal["image"]) -> ImageSpace: ...
    @overload
    def get_space(self, *, id: str, type_: Literal["video"]) -> VideoSpace: ...
    @overload
    def get_space(self, *, id: str, type_: Literal["medical"]) -> MedicalSpace: ...
    @overload
    def get_space(self, *, id: str, type_: None = None) -> Space: ...

    def get_space(self, *, id: str, type_: Optional[SpaceType] = None) -> Space:
        """Return the space with this id.

        Args:
            id: The space's id.
            type_: ``"image"``, ``"video"`` or ``"medical"``: checks that the space is of that kind.

        Raises:
            LabelRowError: If there is no such space, or it is of another kind.
        """
        space = self._spaces.get(id)
        if space is None:
            raise LabelRowError(f"This label row has no space {id!r}; its spaces are {list(self._spaces)}.")
        if type_ is not None:
            if type_ not in ("image", "video", "medical"):
                raise LabelRowError(f"type_ must be 'image', 'video' or 'medical', got {type_!r}.")
            if space.kind != type_:
                raise LabelRowError(f"Space {id!r} is a {space.kind} space, not a {type_} space.")
        return space

    def list_spaces(self) -> list[Space]:
        """The spaces, in the order they were added."""
        return list(self._spaces.values())

    @classmethod
    def from_media(
        cls, ontology: Ontology, media: Mapping[str, str | os.PathLike[str]] | str | os.PathLike[str]
    ) -> LabelRow:
        """Make a row with one space per media file, of the right kind and size.

        Args:
            ontology: The row's ontology.
            media: ``{"space_id": path, ...}`` (several make a data group), or one path (its file
                name becomes the space id). Images make image spaces, videos video spaces (with
                their frame rate), DICOM files or folders and NIfTI volumes medical spaces.

        Raises:
            MediaError: If a file cannot be read (the message names it).
            MissingExtraError: If reading a file needs an extra that is not installed.
        """
        open_media = _wiring.use("open_media")
        if isinstance(media, (str, os.PathLike)):
            media = {os.path.basename(os.fspath(media).rstrip("/")): media}
        if not isinstance(media, Mapping) or not media:
            raise LabelRowError("from_media needs a path or a non-empty {space_id: path} mapping.")
        row = cls(ontology)
        for space_id, path in media.items():
            with open_media(path) as source:
                space: Space
                if source.kind == "image":
                    space = row.add_image_space(space_id, source.width, source.height)
                elif source.kind == "video":
                    source.wait_for_index()  # a long video's frame count is exact only once indexed
                    space = row.add_video_space(
                        space_id, source.number_of_frames, source.width, source.height, getattr(source, "fps", None)
                    )
                else:
                    modality: str = source.modality
                    space = row.add_medical_space(
                        space_id, source.number_of_frames, source.width, source.height, modality
                    )
                space.media = os.fspath(path)
        return row

    def to_dict(self) -> dict[str, Any]:
        """Return the row, with its ontology, as a JSON-ready dict in the native format (see ``native``)."""
        from labelspace.model.native import label_row_to_dict

        return label_row_to_dict(self, packed=False)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], ontology: Ontology | None = None) -> LabelRow:
        """Build a row from the dict ``to_dict`` returns.

        Args:
            d: The native dict; it carries its own ontology.
            ontology: If given, it must match the one in ``d``, and the row uses it (so instances
                share the caller's ontology objects).

        Raises:
            LabelRowError: If ``d`` is malformed (naming the field) or the ontology does not match.
        """
        from labelspace.model.native import label_row_from_dict

        return label_row_from_dict(d, ontology)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the row to ``path`` as native JSON (gzip-compressed if the name ends in ``.gz``)."""
        _wiring.use("save_label_row")(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str], ontology: Ontology | None = None) -> LabelRow:
        """Read a row written by ``save``; the file carries its ontology, so ``ontology`` is optional.

        Raises:
            LabelRowError: If the file is malformed or ``ontology`` does not match the file's.
            FileNotFoundError: If there is no such file.
        """
        return _wiring.use("load_label_row")(path, ontology)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"LabelRow(spaces={list(self._spaces)})"


__all__ = ["LabelRow", "MultiFrameSpace", "SpaceType"]
