"""Opening a long video: time to the first frame, with and without the index cache, against demuxing it whole first.

    .venv/bin/python bench/bench_video_open.py [--minutes 60] [--seconds 10] [--gop 50] [--runs 3]

Writes, in a temporary folder, a 1920x1080 25 fps H.264 clip of ``--seconds`` seconds (libx264
ultrafast, B-frames, a keyframe every ``--gop`` frames, about 5 Mbit/s: a moving textured picture
with a patch of fresh noise in every frame), then copies its packets with shifted timestamps,
without re-encoding, until the file lasts ``--minutes`` minutes. Then it times:

1. before: what ``VideoSource`` did until now on a first open: demux every packet (its pts), sort,
   then seek and decode frame 0; and on a reopen: load the cached index, sort, decode frame 0;
2. now, first open (empty index cache): ``VideoSource(path)`` then ``frame(0)``; the time until the
   background pass has numbered every frame (``wait_for_index``); ``group(0)`` (packets for the
   browser); and, on another first open, a frame at the middle of the file (it waits for the pass);
3. now, reopened (the index from the cache): ``VideoSource(path)`` then ``frame(0)``, and the last frame.

The file is read from the OS page cache (it has just been written): a file on a cold disk
demuxes slower, which only widens the gap between the two ways.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import tempfile
import time
from bisect import bisect_right
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np

from labelspace.media import _index_cache
from labelspace.media.video import VideoSource


def write_clip(path: Path, seconds: int, gop: int, fps: int = 25) -> None:
    rng = np.random.default_rng(0)
    height, width = 1080, 1920
    yy, xx = np.mgrid[0:height, 0:width]
    base = np.stack([(xx // 8) % 256, (yy // 6) % 256, ((xx + yy) // 10) % 256], -1).astype(np.uint8)
    base = (base // 2 + rng.integers(0, 64, (height, width, 3), dtype=np.uint8)).astype(np.uint8)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.bit_rate = 5_000_000
        stream.options = {"g": str(gop), "keyint_min": str(gop), "sc_threshold": "0", "bf": "2", "preset": "ultrafast"}
        for i in range(seconds * fps):
            image = np.roll(base, 4 * i, axis=1)
            image[:180, :320] = rng.integers(0, 255, (180, 320, 3), dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def lengthen(clip: Path, path: Path, minutes: float) -> int:
    """Copy the clip's packets, timestamps shifted, until the file lasts ``minutes``; returns the frame count."""
    with av.open(str(clip)) as source:
        stream = source.streams.video[0]
        packets = [
            (bytes(p), p.pts, p.dts, p.is_keyframe, p.duration)
            for p in source.demux(stream)
            if p.size and p.pts is not None
        ]
        time_base = stream.time_base
        step = packets[0][4]
        span = len(packets) * step
        repeats = max(1, round(minutes * 60 / float(span * time_base)))
        with av.open(str(path), "w") as container:
            out = container.add_stream_from_template(stream)
            for r in range(repeats):
                for data, pts, dts, key, duration in packets:
                    packet = av.Packet(data)
                    packet.pts, packet.dts, packet.duration = pts + r * span, dts + r * span, duration
                    packet.time_base = time_base
                    packet.is_keyframe = key
                    packet.stream = out
                    container.mux(packet)
    return repeats * len(packets)


def previous_open(path: Path, cached: bool) -> float:
    """VideoSource before lazy indexing: the whole index first (demuxed, or loaded and sorted), then frame 0."""
    started = time.perf_counter()
    container = av.open(str(path))
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    if cached:
        loaded = _index_cache.load(path)
        assert loaded is not None
        pts, keys = [int(p) for p in loaded[0]], [int(k) for k in loaded[1]]
    else:
        pts, keys = [], []
        for packet in container.demux(stream):
            if packet.pts is None:
                continue
            pts.append(packet.pts)
            if packet.is_keyframe:
                keys.append(packet.pts)
        _index_cache.store(path, pts, keys)
    ordered = sorted(pts)
    index_of = {p: i for i, p in enumerate(ordered)}
    keyframes = sorted(index_of[k] for k in keys) or [0]
    container.seek(ordered[keyframes[bisect_right(keyframes, 0) - 1]], stream=stream, backward=True, any_frame=False)
    for frame in container.decode(stream):
        if index_of.get(frame.pts) == 0:
            frame.to_ndarray(format="rgb24")
            break
    elapsed = time.perf_counter() - started
    container.close()
    return elapsed


def clear_cache() -> None:
    shutil.rmtree(_index_cache.cache_dir(), ignore_errors=True)


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def summary(samples: list[float]) -> str:
    low, high = min(samples) * 1000, max(samples) * 1000
    return f"median {statistics.median(samples) * 1000:9.1f} ms   (min {low:.1f}, max {high:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--seconds", type=int, default=10, help="length of the clip that is encoded, then repeated")
    parser.add_argument("--gop", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["LABELSPACE_CACHE_DIR"] = str(Path(tmp) / "cache")
        clip, path = Path(tmp) / "clip.mp4", Path(tmp) / "long.mp4"
        started = time.perf_counter()
        write_clip(clip, args.seconds, args.gop)
        encoded = time.perf_counter() - started
        frames = lengthen(clip, path, args.minutes)
        made = time.perf_counter() - started
        size = path.stat().st_size
        print(
            f"Python {platform.python_version()} | PyAV {av.__version__} | {os.cpu_count()} cores | "
            f"1920x1080 H.264 (ultrafast, B-frames, keyframe every {args.gop}), {frames:,} frames = "
            f"{frames / 25 / 60:.1f} min, {size / 2**30:.2f} GiB ({size * 8 / (frames / 25) / 1e6:.1f} Mbit/s); "
            f"made in {made:.0f} s ({encoded:.0f} s encoding a {args.seconds} s clip, the rest copying packets)"
        )

        before_cold, before_warm = [], []
        for _ in range(args.runs):
            clear_cache()
            before_cold.append(previous_open(path, cached=False))
            before_warm.append(previous_open(path, cached=True))

        first, complete, group, middle, warm_first, warm_last = [], [], [], [], [], []
        for _ in range(args.runs):
            clear_cache()
            started = time.perf_counter()
            with VideoSource(path) as source:
                source.frame(frames // 2)
                middle.append(time.perf_counter() - started)

            clear_cache()
            started = time.perf_counter()
            source = VideoSource(path)
            source.frame(0)
            first.append(time.perf_counter() - started)
            group.append(timed(lambda: source.group(0)))
            assert source.wait_for_index()
            complete.append(time.perf_counter() - started)
            assert source.number_of_frames == frames
            source.close()

            started = time.perf_counter()
            with VideoSource(path) as source:  # the pass above completed and cached the index
                assert source.index_complete
                source.frame(0)
                warm_first.append(time.perf_counter() - started)
                warm_last.append(timed(lambda: source.frame(frames - 1)))

        print(f"runs: {args.runs}; the file is in the OS page cache")
        print("before (the whole index first, then the frame):")
        print(f"  1a. first open, demux all + frame 0:        {summary(before_cold)}")
        print(f"  1b. reopen (cached index), frame 0:         {summary(before_warm)}")
        print("now (lazy index, the rest in the background):")
        print(f"  2a. first open, frame 0:                    {summary(first)}   [target 1 s]")
        print(f"  2b. ... every frame numbered (from open):   {summary(complete)}")
        print(f"  2c. ... group(0) packets for the browser:   {summary(group)}")
        print(f"  2d. first open, frame at the middle:        {summary(middle)}")
        print(f"  3a. reopen (cached index), frame 0:         {summary(warm_first)}   [target 0.3 s]")
        print(f"  3b. ... then the last frame:                {summary(warm_last)}")


if __name__ == "__main__":
    main()
