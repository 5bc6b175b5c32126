"""labelspace's label model side by side with the Encord SDK, on the same work, in one run.

    .venv/bin/python bench/bench_model.py            # the full run (several minutes)
    .venv/bin/python bench/bench_model.py --quick    # a tenth of the sizes, for a smoke check

Measures:
  1. per-frame puts: 10 objects x 10,000 frames, a distinct box on every frame (labelspace's
     per-call API, labelspace's vectorised track call, the SDK's per-call API);
  2. range puts on a 1,000,000-frame video: one box on Range(0, N - 1) for growing N;
  3. save and load of 1,000,000 frame annotations (100 objects x 10,000 frames);
  4. memory held per frame annotation, and the peak while building, with tracemalloc.

Times are the best of several runs on fresh state, for both sides alike.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from encord.objects.coordinates import BoundingBoxCoordinates as EncordBox
from encord.objects.frames import Range as EncordRange
from encord.objects.ontology_object_instance import ObjectInstance as EncordObjectInstance
from tests.conftest import World
from tests.encord_peer import mirror_ontology, video_label_row

from labelspace import BoundingBoxCoordinates, LabelRow, Range


def boxes(objects: int, frames: int, seed: int = 0) -> np.ndarray:
    """Distinct normalised boxes: (objects, frames, 4) as x, y, w, h."""
    rng = np.random.default_rng(seed)
    xy = rng.random((objects, frames, 2)) * 0.8
    wh = 0.05 + rng.random((objects, frames, 2)) * 0.1
    return np.concatenate([xy, wh], axis=2)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    gc.collect()
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def best(repeat: int, fn: Callable[[], float]) -> float:
    """The smallest of ``repeat`` measurements; each call of ``fn`` sets up fresh state and times one run."""
    return min(fn() for _ in range(repeat))


# --- builders: the same work on both sides --------------------------------------------------------


def ours_per_frame(world: World, data: np.ndarray) -> LabelRow:
    row = world.row()
    space = row.add_video_space("cam", data.shape[1], 1920, 1080)
    for o in range(data.shape[0]):
        car = world.box.create_instance()
        for f, (x, y, w, h) in enumerate(data[o].tolist()):
            space.put_object_instance(car, f, BoundingBoxCoordinates(height=h, width=w, top_left_x=x, top_left_y=y))
    return row


def ours_tracks(world: World, data: np.ndarray) -> LabelRow:
    row = world.row()
    space = row.add_video_space("cam", data.shape[1], 1920, 1080)
    frames = np.arange(data.shape[1])
    for o in range(data.shape[0]):
        space.put_object_track(world.box.create_instance(), frames, data[o])
    return row


def encord_per_frame(world: World, data: np.ndarray) -> object:
    structure, box, *_ = mirror_ontology(world)
    row, space = video_label_row(structure, data.shape[1], width=1920, height=1080)
    for o in range(data.shape[0]):
        car = EncordObjectInstance(box)
        for f, (x, y, w, h) in enumerate(data[o].tolist()):
            space.put_object_instance(car, f, EncordBox(height=h, width=w, top_left_x=x, top_left_y=y))
    return row


def ours_range_puts(world: World, video: int, length: int, puts: int = 200) -> float:
    """Mean seconds per put of one box on Range(0, length - 1), each for a new instance, on one space."""
    space = world.row().add_video_space("cam", video, 1920, 1080)
    cars = [world.box.create_instance() for _ in range(puts)]
    box = BoundingBoxCoordinates(height=0.1, width=0.1, top_left_x=0.2, top_left_y=0.2)
    frames = Range(0, length - 1)

    def run() -> None:
        for car in cars:
            space.put_object_instance(car, frames, box)

    return timed(run)[0] / puts


def range_put(world: World, video: int, length: int) -> tuple[float, float]:
    """Seconds for the SDK to put one box on Range(0, length - 1) of a fresh space (and 0.0)."""
    t_ours = 0.0
    structure, e_box, *_ = mirror_ontology(world)
    _, e_space = video_label_row(structure, video, width=1920, height=1080)
    e_car = EncordObjectInstance(e_box)
    e_coordinates = EncordBox(height=0.1, width=0.1, top_left_x=0.2, top_left_y=0.2)
    t_enc, _ = timed(lambda: e_space.put_object_instance(e_car, EncordRange(0, length - 1), e_coordinates))
    return t_enc, t_ours


def save_and_load(world: World, data: np.ndarray, tmp: Path) -> tuple[float, float, float, float, int, int]:
    """Save and load seconds for (labelspace, Encord), and the file sizes."""
    frames = data.shape[1]
    ours = ours_tracks(world, data)
    path = tmp / "ours.json"
    t_save = best(3, lambda: timed(lambda: ours.save(path))[0])
    t_load, loaded = timed(lambda: LabelRow.load(path))
    t_load = min(t_load, best(2, lambda: timed(lambda: LabelRow.load(path))[0]))
    assert isinstance(loaded, LabelRow)
    first = loaded.list_spaces()[0].get_object_instances()[0].object_hash
    assert sum(1 for _ in loaded.list_spaces()[0].get_annotations(filter_instance_hashes=[first])) == frames
    encord_row: Any = encord_per_frame(world, data)
    structure, *_ = mirror_ontology(world)
    e_path = tmp / "encord.json"

    def encord_save() -> None:
        with open(e_path, "w") as f:
            json.dump(encord_row.to_encord_dict(), f)

    def encord_load() -> object:
        with open(e_path) as f:
            d = json.load(f)
        row, _ = video_label_row(structure, frames, width=1920, height=1080)
        row.from_labels_dict(d)
        return row

    t_esave = best(2, lambda: timed(encord_save)[0])
    t_eload = best(2, lambda: timed(encord_load)[0])
    return t_save, t_load, t_esave, t_eload, path.stat().st_size, e_path.stat().st_size


def memory(build: Callable[[], object]) -> tuple[int, int]:
    """Bytes still held by what ``build`` returns, and the peak while building."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    kept = build()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del kept
    gc.collect()
    return current - base, peak - base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    world = World()
    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    say(
        f"labelspace vs Encord SDK {_encord_version()} | Python {platform.python_version()} | "
        f"{platform.machine()} | {os.cpu_count()} cores{' | QUICK' if args.quick else ''}"
    )

    # 1. per-frame puts
    objects, frames = 10, 10_000 // scale
    data = boxes(objects, frames)
    n = objects * frames
    t_ours = best(3, lambda: timed(lambda: ours_per_frame(world, data))[0])
    t_track = best(3, lambda: timed(lambda: ours_tracks(world, data))[0])
    t_enc = best(3, lambda: timed(lambda: encord_per_frame(world, data))[0])
    say()
    say(f"1. per-frame puts, {objects} objects x {frames:,} frames, distinct boxes ({n:,} puts, coordinates built")
    say("   in the loop)")
    say(f"   Encord put_object_instance       {t_enc / n * 1e6:8.2f} us/put")
    say(f"   labelspace put_object_instance   {t_ours / n * 1e6:8.2f} us/put   {t_enc / t_ours:6.1f}x faster")
    say(f"   labelspace put_object_track      {t_track / n * 1e6:8.3f} us/put   {t_enc / t_track:6.1f}x faster")

    # 2. range puts
    video = 1_000_000
    say()
    say(f"2. one box on Range(0, N-1) of a {video:,}-frame video (labelspace: mean of 200 puts of new instances)")
    for length in (100, 10_000, 1_000_000 // scale):
        t_enc = best(3, lambda: range_put(world, video, length)[0])
        t_ours = ours_range_puts(world, video, length)
        say(
            f"   N = {length:>9,}   Encord {t_enc * 1e3:10.2f} ms   labelspace {t_ours * 1e6:8.1f} us   "
            f"{t_enc / t_ours:10.0f}x faster"
        )

    # 3. save and load
    objects, frames = 100, 10_000 // scale
    data = boxes(objects, frames, seed=1)
    n = objects * frames
    say()
    say(f"3. save and load {n:,} frame annotations ({objects} objects x {frames:,} frames)")
    with tempfile.TemporaryDirectory() as tmp:
        t_save, t_load, t_esave, t_eload, size_ours, size_enc = save_and_load(world, data, Path(tmp))
    say(f"   save   Encord {t_esave:7.2f} s   labelspace {t_save * 1e3:7.0f} ms   {t_esave / t_save:6.1f}x faster")
    say(f"   load   Encord {t_eload:7.2f} s   labelspace {t_load * 1e3:7.0f} ms   {t_eload / t_load:6.1f}x faster")
    say(f"   file   Encord {size_enc / 2**20:7.1f} MiB labelspace {size_ours / 2**20:6.1f} MiB")

    # 4. memory
    objects, frames = 10, 100_000 // scale
    data = boxes(objects, frames, seed=2)
    n = objects * frames
    say()
    say(f"4. memory for {n:,} frame annotations ({objects} objects x {frames:,} distinct boxes), tracemalloc")
    held_enc, peak_enc = memory(lambda: encord_per_frame(world, data))
    held_ours, peak_ours = memory(lambda: ours_per_frame(world, data))
    held_track, peak_track = memory(lambda: ours_tracks(world, data))
    say(f"   Encord                         {held_enc / n:7.1f} bytes held each   peak {peak_enc / 2**20:7.1f} MiB")
    say(
        f"   labelspace put_object_instance {held_ours / n:7.1f} bytes held each   peak {peak_ours / 2**20:7.1f} MiB"
        f"   {held_enc / held_ours:5.1f}x less"
    )
    say(
        f"   labelspace put_object_track    {held_track / n:7.1f} bytes held each   peak {peak_track / 2**20:7.1f} MiB"
        f"   {held_enc / held_track:5.1f}x less"
    )


def _encord_version() -> str:
    from importlib.metadata import version

    return version("encord")


if __name__ == "__main__":
    main()
