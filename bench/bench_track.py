"""Tracking boxes through a video with track_objects: KCF and CSRT, with and without decoding.

    .venv/bin/python bench/bench_track.py [--frames N] [--objects K] [--csrt-frames M] [--hd-frames H]

Writes an H.264 video (a keyframe every 50 frames) of K textured objects moving over a textured
background, each in its own part of the picture, and tracks all K boxes from frame 0 with
``labelspace.assist.track_objects``. "Decoding excluded" reads frames from a numpy array of the
decoded video; "decoding included" reads the file through ``open_media`` (PyAV), as a user does.
A rate is video frames a second with every box tracked on each; box-frames a second is that times
K. The overlap with the true boxes (IoU, worst and mean over every box and frame) shows the boxes
were followed, not dropped. 640x480 first, then 1920x1080 (H frames, 0 to skip), then optical
flow on K points and K polygons for comparison. Times are the best of R runs (``--repeat``, 3) on
fresh spaces, CSRT's of one.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

from labelspace import BoundingBoxCoordinates, LabelRow, Ontology, PointCoordinate, PolygonCoordinates, Shape
from labelspace.assist import track_objects
from labelspace.media import open_media


def texture(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    out = np.zeros(shape)
    for sigma, weight in [(1.0, 1.0), (4.0, 2.0), (12.0, 3.0)]:
        layer = cv2.GaussianBlur(rng.normal(0, 1, shape), (0, 0), sigma)
        out += weight * layer / layer.std()
    return np.clip(128 + out * 40 / out.std(), 0, 255).astype(np.uint8)


class Scene:
    """K objects, each moving along a Lissajous path inside its own cell of a 5-column grid."""

    def __init__(self, width: int, height: int, objects: int) -> None:
        self.width, self.height = width, height
        rng = np.random.default_rng(0)
        self.background = texture(rng, (height, width, 3))
        columns = 5
        rows = -(-objects // columns)
        cell_w, cell_h = width / columns, height / rows
        scale = width / 640
        self.sizes, self.centres, self.swings, self.tiles = [], [], [], []
        for k in range(objects):
            side = int((40 + 8 * (k % 6)) * scale)
            tint = rng.integers(-40, 41, 3)
            self.tiles.append(np.clip(texture(rng, (side, side, 3)).astype(int) + tint, 0, 255).astype(np.uint8))
            self.sizes.append(side)
            self.centres.append(((k % columns + 0.5) * cell_w, (k // columns + 0.5) * cell_h))
            self.swings.append(((cell_w - side) / 2 - 4, (cell_h - side) / 2 - 4, 0.03 + 0.01 * k, 0.05 + 0.007 * k))

    def box(self, k: int, i: int) -> tuple[int, int, int, int]:
        """Object k's box (x, y, w, h) in pixels on frame i."""
        (cx, cy), (ax, ay, wx, wy), side = self.centres[k], self.swings[k], self.sizes[k]
        x = round(cx + ax * np.sin(wx * i) - side / 2)
        y = round(cy + ay * np.sin(wy * i + k) - side / 2)
        return x, y, side, side

    def frame(self, i: int) -> np.ndarray:
        image = self.background.copy()
        for k, tile in enumerate(self.tiles):
            x, y, w, h = self.box(k, i)
            image[y : y + h, x : x + w] = tile
        return image


def write(scene: Scene, path: Path, frames: int) -> None:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = scene.width, scene.height, "yuv420p"
        stream.options = {"g": "50", "bf": "2", "crf": "20", "preset": "veryfast"}
        for i in range(frames):
            for packet in stream.encode(av.VideoFrame.from_ndarray(scene.frame(i), format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def decode(path: Path, frames: int) -> np.ndarray:
    with open_media(path) as source:
        return np.stack([source.frame(i) for i in range(frames)])


def iou(a: np.ndarray, b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def run(scene: Scene, source: Any, frames: int, method: str, shape: Shape = Shape.BOUNDING_BOX) -> tuple[float, str]:
    """Track every object from frame 0 to frames - 1; the seconds taken, and how well it followed."""
    ontology = Ontology()
    thing = ontology.add_object("thing", shape)
    space = LabelRow(ontology).add_video_space("clip", frames, scene.width, scene.height)
    w, h = scene.width, scene.height
    instances = []
    for k in range(len(scene.sizes)):
        instance = thing.create_instance()
        x, y, bw, bh = scene.box(k, 0)
        if shape is Shape.BOUNDING_BOX:
            value: Any = BoundingBoxCoordinates(height=bh / h, width=bw / w, top_left_x=x / w, top_left_y=y / h)
        elif shape is Shape.POINT:
            value = PointCoordinate((x + bw / 2) / w, (y + bh / 2) / h)
        else:
            corners = [(x, y), (x + bw, y), (x + bw, y + bh), (x, y + bh)]
            value = PolygonCoordinates([PointCoordinate(px / w, py / h) for px, py in corners])
        space.put_object_instance(instance, 0, value)
        instances.append(instance)
    started = time.perf_counter()
    result = track_objects(space, instances, source, 0, end=frames - 1, method=method)
    seconds = time.perf_counter() - started
    lost = sum(t.stopped != "end" for t in result.objects)
    if shape is not Shape.BOUNDING_BOX:
        return seconds, f"{lost} lost"
    overlaps = []
    for k, instance in enumerate(instances):
        tracked, rows = space.get_object_track(instance)
        for f, row in zip(tracked.tolist(), rows, strict=True):
            overlaps.append(iou(row * [w, h, w, h], scene.box(k, f)))
    return seconds, f"IoU worst {min(overlaps):.2f} mean {np.mean(overlaps):.2f}, {lost} lost"


def report(label: str, frames: int, objects: int, seconds: float, quality: str) -> None:
    steps = frames - 1
    print(
        f"   {label:<28} {steps / seconds:7.1f} frames/s   {steps * objects / seconds:8.1f} box-frames/s   "
        f"({steps} frames in {seconds:5.1f} s; {quality})"
    )


def best(
    repeat: int, scene: Scene, source: Any, frames: int, method: str, shape: Shape = Shape.BOUNDING_BOX
) -> tuple[float, str]:
    """The best time of ``repeat`` runs; a path is opened afresh for each run (its decoding is timed)."""
    runs = []
    for _ in range(repeat):
        if isinstance(source, Path):
            with open_media(source) as video:
                runs.append(run(scene, video, frames, method, shape))
        else:
            runs.append(run(scene, source, frames, method, shape))
    return min(seconds for seconds, _ in runs), runs[0][1]


def section(
    title: str, width: int, height: int, frames: int, csrt_frames: int, objects: int, repeat: int, tmp: Path
) -> None:
    scene = Scene(width, height, objects)
    path = tmp / f"clip-{height}.mp4"
    write(scene, path, frames)
    started = time.perf_counter()
    decoded = decode(path, frames)
    decoding = time.perf_counter() - started
    print(
        f"{title}: {width}x{height} H.264, {frames} frames, {objects} boxes of {min(scene.sizes)}-{max(scene.sizes)} px"
    )
    print(f"   decoding alone (open_media, every frame in order): {frames / decoding:6.1f} frames/s")
    for method, count, times in [("kcf", frames, repeat), ("csrt", min(frames, csrt_frames), 1)]:
        if count < 2:
            continue
        seconds, quality = best(times, scene, decoded[:count], count, method)
        report(f"{method.upper()}, decoding excluded", count, objects, seconds, quality)
        seconds, quality = best(times, scene, path, count, method)
        report(f"{method.upper()}, decoding included", count, objects, seconds, quality)
    if height <= 480:
        for shape, name in [(Shape.POINT, "points"), (Shape.POLYGON, "polygons")]:
            seconds, quality = best(repeat, scene, decoded, frames, "kcf", shape)
            report(f"optical flow, {objects} {name}", frames, objects, seconds, quality)


def cpu_times() -> tuple[float, float] | None:
    """Busy and total jiffies of every core since boot (Linux), to tell how busy the machine was."""
    try:
        values = [float(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--objects", type=int, default=10)
    parser.add_argument("--csrt-frames", type=int, default=100)
    parser.add_argument("--hd-frames", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"Python {platform.python_version()} | OpenCV {cv2.__version__} | PyAV {av.__version__} | "
        f"{os.cpu_count()} cores | load average {os.getloadavg()[0]:.1f}"
    )
    before, started, cpu = cpu_times(), time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["LABELSPACE_CACHE_DIR"] = tmp  # video indexes go here, not to the user's cache
        section("1. SD", 640, 480, args.frames, args.csrt_frames, args.objects, args.repeat, Path(tmp))
        if args.hd_frames:
            section("2. HD", 1920, 1080, args.hd_frames, args.csrt_frames, args.objects, args.repeat, Path(tmp))
    after, wall = cpu_times(), time.perf_counter() - started
    ours = (time.process_time() - cpu) / wall
    if before is not None and after is not None:
        busy = (after[0] - before[0]) / (after[1] - before[1]) * (os.cpu_count() or 1)
        print(
            f"During the run {busy:.2f} of the {os.cpu_count()} cores were busy on average, {ours:.2f} with this run."
        )


if __name__ == "__main__":
    main()
