"""A writer process for the atomic-write tests: build a project, say so, write it in a format.

Usage: ``python -m tests.formats.atomic_child FORMAT TARGET FRAMES [--fsize BYTES]``. With
``--fsize`` the process may not write files larger than BYTES (a full disk), and SIGXFSZ is
ignored so the write fails with an error instead of killing the process.
"""

from __future__ import annotations

import argparse
import resource
import signal
import sys
import warnings

import numpy as np

from labelspace import BoundingBoxCoordinates, Project, Range
from labelspace.formats import DroppedLabelsWarning, save
from tests.conftest import World


def project(frames: int) -> Project:
    """Images with boxes (for the image formats) and a video with a moving box track."""
    world = World()
    out = Project(world.ontology)
    for i in range(max(frames // 200, 1)):
        row = world.row()
        image = row.add_image_space(f"img{i}", 64, 48)
        image.put_object_instance(world.box.create_instance(), BoundingBoxCoordinates(0.25, 0.5, 0.125, 0.25))
        out.add_row(row, media=f"images/img{i}.jpg")
    return out


def video_project(frames: int) -> Project:
    world = World()
    out = Project(world.ontology)
    row = world.row()
    video = row.add_video_space("clip", frames, 64, 48, fps=25)
    xs = np.linspace(0, 0.5, frames)
    rows = np.column_stack([xs, np.full(frames, 0.1), np.full(frames, 0.2), np.full(frames, 0.2)])
    car = world.box.create_instance()
    video.put_object_track(car, np.arange(frames), rows)
    video.set_dynamic_answer(car, Range(0, frames // 2), world.hidden)
    out.add_row(row, media="clip.mp4")
    return out


IMAGE_FORMATS = {"yolo", "voc", "labelme"}


def main() -> None:
    """Build, announce, write."""
    parser = argparse.ArgumentParser()
    parser.add_argument("format")
    parser.add_argument("target")
    parser.add_argument("frames", type=int)
    parser.add_argument("--fsize", type=int)
    args = parser.parse_args()
    labels = project(args.frames) if args.format in IMAGE_FORMATS else video_project(args.frames)
    if args.fsize:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (args.fsize, args.fsize))
    print("writing", flush=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DroppedLabelsWarning)
        try:
            save(labels, args.target, args.format, overwrite=True, progress=False)
        except Exception as e:
            print(f"failed: {type(e).__name__}: {e}", flush=True)
            sys.exit(3)
    print("done", flush=True)


if __name__ == "__main__":
    main()
