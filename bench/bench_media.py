"""Random access into a video: labelspace's VideoSource against decoding in order.

    .venv/bin/python bench/bench_media.py [--frames N] [--gop G]

Writes a 1920x1080 H.264 video (a keyframe every G frames), then times: decoding every frame in
order with PyAV (the floor: what one frame costs to decode and convert), VideoSource.frame() at
random indexes (seek to the keyframe before, decode forward), and stepping forward one frame at a
time through VideoSource as an annotator does.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import tempfile
import time
from pathlib import Path

import av
import numpy as np

from labelspace.media import open_media


def write(path: Path, frames: int, gop: int) -> None:
    rng = np.random.default_rng(0)
    base = rng.integers(0, 255, (1080, 1920, 3), dtype=np.uint8)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 1920, 1080, "yuv420p"
        stream.options = {"g": str(gop), "keyint_min": str(gop), "bf": "2", "preset": "ultrafast"}
        for i in range(frames):
            image = np.roll(base, 8 * i, axis=1)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def ms(samples: list[float]) -> str:
    a = np.array(samples) * 1000
    return f"p50 {np.percentile(a, 50):7.1f} ms   p95 {np.percentile(a, 95):7.1f} ms   mean {a.mean():7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=500)
    parser.add_argument("--gop", type=int, default=50)
    parser.add_argument("--reads", type=int, default=60)
    args = parser.parse_args()
    print(
        f"Python {platform.python_version()} | PyAV {av.__version__} | {os.cpu_count()} cores | "
        f"1920x1080 H.264, {args.frames} frames, a keyframe every {args.gop}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "clip.mp4"
        write(path, args.frames, args.gop)

        started = time.perf_counter()
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            decoded = sum(1 for f in container.decode(stream) if f.to_ndarray(format="rgb24") is not None)
        in_order = (time.perf_counter() - started) / decoded
        print(f"1. PyAV, every frame in order:      {in_order * 1000:7.1f} ms a frame ({decoded} frames)")

        started = time.perf_counter()
        source = open_media(path)
        print(f"2. open (index packets):            {(time.perf_counter() - started) * 1000:7.1f} ms")

        picks = random.Random(1).sample(range(source.number_of_frames), args.reads)
        samples = []
        for index in picks:
            source._cache.clear()  # a cold read each time
            started = time.perf_counter()
            source.frame(index)
            samples.append(time.perf_counter() - started)
        ratio = np.mean(samples) / in_order
        print(f"3. VideoSource.frame(random):       {ms(samples)}   ({ratio:.1f}x a frame in order)")

        samples = []
        start = source.number_of_frames // 2 - args.reads // 2
        source.frame(start)
        for index in range(start + 1, start + 1 + args.reads):
            started = time.perf_counter()
            source.frame(index)
            samples.append(time.perf_counter() - started)
        print(f"4. VideoSource.frame(i + 1):        {ms(samples)}")

        samples = []
        for index in range(start + args.reads, start, -1):
            started = time.perf_counter()
            source.frame(index)
            samples.append(time.perf_counter() - started)
        print(f"5. VideoSource.frame(i - 1), cached: {ms(samples[:8])}   (the last {len(samples[:8])} read)")


if __name__ == "__main__":
    main()
