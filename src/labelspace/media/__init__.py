"""Media readers: width, height, number of frames and any frame as a numpy array.

``open_media(path)`` picks the reader from the file: images (Pillow), videos (PyAV, the
``labelspace[video]`` extra), DICOM files or folders and NIfTI volumes (pydicom and nibabel, the
``labelspace[medical]`` extra).
"""

from labelspace.media.base import MediaSource, media_kind, open_media
from labelspace.media.image import ImageSource, image_size

__all__ = ["ImageSource", "MediaSource", "image_size", "media_kind", "open_media"]
