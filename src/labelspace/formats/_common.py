"""What the format modules share: the warning for labels a format cannot hold, and frame image names."""

from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path

from labelspace.model.spaces import MultiFrameSpace, Space


class DroppedLabelsWarning(UserWarning):
    """A format could not hold some labels; the message lists them."""


def warn_dropped(format_name: str, dropped: Counter[str]) -> Counter[str]:
    """Warn, listing what ``format_name`` could not hold and how much; return the non-zero counts."""
    dropped = Counter({k: v for k, v in dropped.items() if v})
    if dropped:
        listed = ", ".join(f"{n} {what}" for what, n in sorted(dropped.items()))
        warnings.warn(f"{format_name} cannot hold everything; dropped {listed}.", DroppedLabelsWarning, stacklevel=3)
    return dropped


def frame_stem(space: Space, frame: int) -> str:
    """A file-name stem for one image or frame: the media's stem (or the space id), and the frame number."""
    base = Path(space.media).stem if space.media else space.space_id
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in base)
    return f"{safe}_{frame:06d}" if isinstance(space, MultiFrameSpace) else safe
