"""Large exports stream: a 100,000-frame video with 20 tracks, to COCO and to Parquet.

    .venv/bin/python bench/bench_formats.py [--frames N]

Prints, per format, the time taken, the peak of memory traced while writing (tracemalloc: Python's
own allocations) and the file's size: a streamed export's peak stays far below the size of what it
writes. For Parquet it also prints the peak of Arrow's memory pool, which tracemalloc cannot see.
Times are under tracemalloc, which slows allocation-heavy Python code; ``--speed`` times the
exports without it (and prints no memory figures), then reads each file back (``--no-read`` skips that).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import World

from labelspace.formats import load
from labelspace.formats.coco import save_coco
from labelspace.formats.parquet import save_parquet


def build(frames: int, tracks: int) -> object:
    world = World()
    row = world.row()
    video = row.add_video_space("dashcam", frames, 1920, 1080, fps=25)
    rng = np.random.default_rng(0)
    all_frames = np.arange(frames)
    for _ in range(tracks):
        xy = np.cumsum(rng.normal(0, 0.001, (frames, 2)), axis=0) % 0.8
        wh = np.full((frames, 2), 0.1)
        car = world.box.create_instance()
        video.put_object_track(car, all_frames, np.column_stack([xy, wh]))
        video.set_dynamic_answer(car, list(range(0, frames, 2)), world.visible)
    return row


def measure(
    label: str, write, path: Path, extra=lambda: "", speed: bool = False, read: bool = False, n: int = 0
) -> None:
    if speed:
        started = time.perf_counter()
        write(path)
        seconds = time.perf_counter() - started
        size = path.stat().st_size
        rate = size / seconds / 2**20
        print(
            f"   {label:<8} write {seconds:7.1f} s untraced   file {size / 2**20:8.1f} MiB   {rate:6.1f} MiB/s"
            f"   {seconds / n * 1e6:5.1f} us a frame annotation"
        )
        if read:
            started = time.perf_counter()
            load(path)
            seconds = time.perf_counter() - started
            print(f"   {label:<8} read  {seconds:7.1f} s untraced   {seconds / n * 1e6:5.1f} us a frame annotation")
        return
    tracemalloc.start()
    started = time.perf_counter()
    write(path)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = path.stat().st_size
    print(
        f"   {label:<8} {seconds:7.1f} s   peak traced {peak / 2**20:7.1f} MiB   file {size / 2**20:8.1f} MiB"
        f"   peak/file {peak / size:6.3f}{extra()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--tracks", type=int, default=20)
    parser.add_argument("--only", choices=["coco", "parquet"], help="run one format only")
    parser.add_argument("--speed", action="store_true", help="time without tracemalloc")
    parser.add_argument("--no-read", action="store_true", help="with --speed: do not time reading the files back")
    args = parser.parse_args()
    row = build(args.frames, args.tracks)
    print(
        f"Python {platform.python_version()} | {os.cpu_count()} cores | a {args.frames:,}-frame video with "
        f"{args.tracks} tracks ({args.frames * args.tracks:,} frame annotations)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        if args.only in (None, "coco"):
            measure(
                "COCO",
                lambda p: save_coco(row, p, progress=False),
                Path(tmp) / "coco.json",
                speed=args.speed,
                read=not args.no_read,
                n=args.frames * args.tracks,
            )
        if args.only in (None, "parquet"):
            import pyarrow as pa

            pool = pa.default_memory_pool()
            measure(
                "Parquet",
                lambda p: save_parquet(row, p, progress=False),
                Path(tmp) / "labels.parquet",
                lambda: f"   Arrow pool peak {pool.max_memory() / 2**20:.1f} MiB",
                speed=args.speed,
                read=not args.no_read,
                n=args.frames * args.tracks,
            )


if __name__ == "__main__":
    main()
