"""The label store (issue 10) on SQLite and PostgreSQL, side by side with writing the native file after each edit.

    .venv/bin/python bench/bench_store.py                     # the full run (many minutes)
    .venv/bin/python bench/bench_store.py --edits 100 --frames-objects 10 --annotations 20000   # a smoke check

The peer is what the Annotator's autosave does without a store: the row (or project) written whole
to labelspace's native JSON file (``row.save(path)``, atomic: a temporary file, fsync, rename) after
an edit. PostgreSQL is a throwaway local server (``tests.store.postgres.Server``: Debian's binaries,
a cluster in a temporary folder, fsync on, over TCP on 127.0.0.1). Measures (targets from issue 10
in brackets):

  1. edit committed: a stored row with ``--objects`` box objects (200), each a distinct box on every
     frame of a ``--video-frames`` (1,000) frame video, opened with ``store.open_row``; then
     ``--edits`` (500) operations through ``StoredRow.apply``, alternating a ``put_object`` of one
     frame of a random existing object with new coordinates (``on_overlap: replace``) and a new small
     object on 10 frames. Median and p95 per edit, from the call to the commit returning [p95 5 ms
     SQLite, 10 ms PostgreSQL]; the peer carries out the same operations with ``apply_operation`` on
     a row in memory, then ``row.save(path)`` each time. The model's share (``apply_operation``
     alone) is printed for reference;
  2. opening a row of ``--frames-objects`` (100) objects x ``--frames`` (10,000) frames, a distinct
     box on each (1,000,000 frame annotations): ``store.load_row`` against ``LabelRow.load`` of the
     native file, best and median of ``--repeats`` (5) [0.5 s];
  3. import: a COCO file of ``--annotations`` (2,000,000) boxes on images of ``--per-image`` (100)
     boxes each, read with ``labelspace.formats.load``, then ``Store(...).add_project`` against
     ``project.save(path)`` [the store at least as fast as the native writer];
  4. the edit log after the edits of 1: bytes per entry (``store.log_bytes()``, and by what each
     entry holds), and how much the SQLite file grew per edit (WAL checkpointed before and after).

The load average is printed before and after: another job on the machine slows every line.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy
from tests.store.postgres import Server, binaries

from labelspace import LabelRow, Ontology, Project, Shape
from labelspace.formats import load as load_labels
from labelspace.model.native.fragments import instance_fragment, instance_hashes, row_head
from labelspace.model.operations import apply_operation
from labelspace.store import Store

SPACE = "cam"


def say(text: str = "") -> None:
    print(text, flush=True)


def note(text: str) -> None:
    """A progress line (indented, bracketed: not a result)."""
    print(f"      [{time.strftime('%H:%M:%S')}] {text}", flush=True)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1e3:7.2f} ms   p95 {percentile(values, 95) * 1e3:7.2f} ms"


def met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def box_ontology() -> tuple[Ontology, Any]:
    ontology = Ontology()
    car = ontology.add_object("car", Shape.BOUNDING_BOX)
    return ontology, car


def boxes(objects: int, frames: int, seed: int) -> np.ndarray:
    """Distinct normalised boxes: (objects, frames, 4) as x, y, w, h."""
    rng = np.random.default_rng(seed)
    xy = rng.random((objects, frames, 2)) * 0.8
    wh = 0.05 + rng.random((objects, frames, 2)) * 0.1
    return np.concatenate([xy, wh], axis=2)


def video_row(ontology: Ontology, car: Any, objects: int, frames: int, seed: int) -> tuple[LabelRow, list[str]]:
    """A row with one video space and ``objects`` boxes, each a distinct box on every frame."""
    row = LabelRow(ontology)
    space = row.add_video_space(SPACE, frames, 1920, 1080)
    data = boxes(objects, frames, seed)
    hashes = []
    every = np.arange(frames)
    for o in range(objects):
        instance = car.create_instance()
        space.put_object_track(instance, every, data[o])
        hashes.append(instance.object_hash)
    return row, hashes


class Backends:
    """The stores to measure: a SQLite file in ``tmp`` and, unless skipped, a fresh PostgreSQL database each."""

    def __init__(self, tmp: Path, postgres: bool) -> None:
        self.tmp = tmp
        self.server: Server | None = None
        if postgres:
            if binaries() is None:
                raise SystemExit("PostgreSQL is not installed (apt-get install postgresql); run with --skip-postgres")
            self.server = Server()
        self.version = self._pg_version() if self.server else None

    def names(self) -> list[str]:
        return ["SQLite", "PostgreSQL"] if self.server else ["SQLite"]

    def url(self, name: str, tag: str) -> str:
        if name == "SQLite":
            return str(self.tmp / f"{tag}.db")
        assert self.server is not None
        return self.server.new_database()

    def _pg_version(self) -> str:
        import psycopg

        assert self.server is not None
        with psycopg.connect(f"host=127.0.0.1 port={self.server.port} user=postgres dbname=postgres") as c:
            row = c.execute("SHOW server_version").fetchone()
        return str(row[0]).split()[0] if row else "?"

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


def sqlite_size(path: Path) -> int:
    """The file's size once its WAL is checkpointed into it (and truncated)."""
    with sqlite3.connect(path) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


# --- 1 and 4: edits ---------------------------------------------------------------------------------


def edit_ops(hashes: list[str], feature: str, n: int, frames: int, seed: int) -> list[dict[str, Any]]:
    """``n`` operations: even ones move one frame of an existing object, odd ones add a small object on 10 frames."""
    rng = random.Random(seed)
    ops: list[dict[str, Any]] = []
    for i in range(n):
        if i % 2 == 0:
            x, y = rng.uniform(0, 0.8), rng.uniform(0, 0.8)
            w, h = rng.uniform(0.05, 0.15), rng.uniform(0.05, 0.15)
            ops.append(
                {
                    "op": "put_object",
                    "space": SPACE,
                    "object": rng.choice(hashes),
                    "frames": [[(f := rng.randrange(frames)), f]],
                    "coordinates": {"x": x, "y": y, "w": w, "h": h},
                    "on_overlap": "replace",
                }
            )
        else:
            start = rng.randrange(frames - 10)
            x, y = rng.uniform(0, 0.9), rng.uniform(0, 0.9)
            ops.append(
                {
                    "op": "put_object",
                    "space": SPACE,
                    "object": f"bench{i:06d}",
                    "feature": feature,
                    "frames": [[start, start + 9]],
                    "coordinates": {"x": x, "y": y, "w": 0.02, "h": 0.03},
                }
            )
    return ops


def edit_latency(backends: Backends, args: argparse.Namespace) -> dict[str, Any]:
    ontology, car = box_ontology()
    row, hashes = video_row(ontology, car, args.objects, args.video_frames, seed=1)
    ops = edit_ops(hashes, car.feature_node_hash, args.edits, args.video_frames, seed=2)
    native = backends.tmp / "edits.json"
    row.save(native)
    say()
    say(
        f"1. edit committed: {args.edits} edits of a row with {args.objects} box objects on every frame of a "
        f"{args.video_frames:,}-frame video ({args.objects * args.video_frames:,} frame annotations; the native "
        f"file is {native.stat().st_size / 2**20:.1f} MiB)"
    )
    say("   (even edits: one frame of a random existing object moved; odd: a new small object on 10 frames)")
    results: dict[str, Any] = {}

    # The peer: the same operations on a row in memory, the native file written after each.
    peer = LabelRow.load(native)
    model: list[float] = []
    total: list[float] = []
    path = backends.tmp / "peer.json"
    for op in ops:
        t0 = time.perf_counter()
        edit = apply_operation(peer, op)
        t1 = time.perf_counter()
        peer.save(path)
        t2 = time.perf_counter()
        assert not edit.is_empty()
        model.append(t1 - t0)
        total.append(t2 - t0)
    results["peer"] = total
    peer_dict = peer.to_dict()
    del peer

    for name in backends.names():
        url = backends.url(name, "edits")
        store = Store(url)
        try:
            store.add_project("edits", Project.of(LabelRow.load(native)))
            row_id = store.rows()[0].id
            size_before = sqlite_size(Path(url)) if name == "SQLite" else 0
            entries_before, bytes_before = store.log_bytes()
            t_open, stored = timed(lambda: store.open_row(row_id, user="bench"))
            times: list[float] = []
            for op in ops:
                t0 = time.perf_counter()
                edit = stored.apply(op)
                times.append(time.perf_counter() - t0)
                assert not edit.is_empty()
            entries, size = store.log_bytes()
            results[name] = times
            results[f"{name} open"] = t_open
            results[f"{name} log"] = (entries - entries_before, size - bytes_before)
            if name == "SQLite":
                results["sqlite growth"] = sqlite_size(Path(url)) - size_before
                results["sqlite parts"] = log_parts(Path(url))
            # What the store holds is what the session's row holds, and has what the peer's has.
            stored_dict = stored.row.to_dict()
            assert fragments(store.load_row(row_id)) == fragments(stored.row), f"{name}: the stored row differs"
            assert same_boxes(stored_dict, peer_dict), f"{name}: the stored row's boxes differ from the peer's"
        finally:
            store.close()

    say(f"   model alone (apply_operation)           {ms(model)}")
    say(f"   peer: apply + row.save(path)            {ms(results['peer'])}")
    for name in backends.names():
        times = results[name]
        p95 = percentile(times, 95)
        ratio_median = statistics.median(results["peer"]) / statistics.median(times)
        ratio_p95 = percentile(results["peer"], 95) / p95
        say(
            f"   {name + ': StoredRow.apply':<40}{ms(times)}   peer/store {ratio_median:5.1f}x (median) "
            f"{ratio_p95:5.1f}x (p95)"
        )
    for name in backends.names():
        kinds = (statistics.median(results[name][0::2]), statistics.median(results[name][1::2]))
        say(
            f"   {name}: median by kind: existing object {kinds[0] * 1e3:6.2f} ms, "
            f"new object {kinds[1] * 1e3:6.2f} ms; open_row {results[f'{name} open'] * 1e3:.0f} ms"
        )
    return results


def fragments(row: LabelRow) -> bytes:
    """A row's labels whatever the order of its metadata records: each instance's (canonical) fragment."""
    found = {h: instance_fragment(row, h) for h in instance_hashes(row)}
    return orjson.dumps([row_head(row), found], option=orjson.OPT_SERIALIZE_NUMPY)


def same_boxes(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two row dicts hold the same objects and tracks (metadata, whose times differ, aside)."""

    def tracks(d: dict[str, Any]) -> Any:
        return [[{k: v for k, v in t.items() if k != "meta"} for t in s["objects"]] for s in d["spaces"]]

    return bool(
        a["objects"] == b["objects"]
        and orjson.dumps(tracks(a), option=orjson.OPT_SERIALIZE_NUMPY)
        == orjson.dumps(tracks(b), option=orjson.OPT_SERIALIZE_NUMPY)
    )


def log_parts(path: Path) -> dict[str, tuple[float, float, float]]:
    """Mean bytes of each part of a log entry (op, touched, before images), for moved and new objects."""
    with sqlite3.connect(path) as c:
        rows = c.execute(
            "SELECT id, length(op), length(touched), coalesce(length(before), 0) FROM edits ORDER BY id"
        ).fetchall()
    out = {}
    for label, part in (("existing", rows[0::2]), ("new", rows[1::2])):
        n = max(len(part), 1)
        out[label] = (sum(r[1] for r in part) / n, sum(r[2] for r in part) / n, sum(r[3] for r in part) / n)
    return out


def log_size(backends: Backends, results: dict[str, Any], args: argparse.Namespace) -> None:
    say()
    say(f"4. edit log after the {args.edits} edits of 1")
    for name in backends.names():
        entries, size = results[f"{name} log"]
        say(
            f"   {name + ':':<12} {entries} entries, {size / 1e6:7.2f} MB, "
            f"{size / max(entries, 1):9,.0f} bytes per entry"
        )
    for label, (op, touched, before) in results["sqlite parts"].items():
        what = "moving one frame of an existing object" if label == "existing" else "adding a new object on 10 frames"
        say(f"   SQLite, {what + ':':<40} op {op:5.0f} B   touched {touched:4.0f} B   before image {before:8,.0f} B")
    growth = results["sqlite growth"]
    say(
        f"   SQLite file (WAL checkpointed): grew {growth / 1e6:.2f} MB over {args.edits} edits = "
        f"{growth / args.edits:,.0f} bytes per edit"
    )


# --- 2: opening a row -------------------------------------------------------------------------------


def opening(backends: Backends, args: argparse.Namespace) -> dict[str, float]:
    ontology, car = box_ontology()
    n = args.frames_objects * args.frames
    say()
    say(
        f"2. opening a row of {n:,} frame annotations ({args.frames_objects} objects x {args.frames:,} frames, "
        "distinct boxes)"
    )
    note("building the row")
    row, _ = video_row(ontology, car, args.frames_objects, args.frames, seed=3)
    native = backends.tmp / "open.json"
    row.save(native)
    expected = row.to_dict()
    del row
    reference = LabelRow.load(native)
    times: dict[str, list[float]] = {"native": []}
    for _ in range(args.repeats):
        times["native"].append(timed(lambda: LabelRow.load(native))[0])
    for name in backends.names():
        store = Store(backends.url(name, "open"))
        try:
            t_add, _ = timed(lambda: store.add_project("open", Project.of(reference)))
            note(f"{name}: the row stored in {t_add:.1f} s")
            row_id = store.rows()[0].id
            times[name] = []
            for _ in range(args.repeats):
                t, loaded = timed(lambda: store.load_row(row_id))
                times[name].append(t)
            assert loaded.to_dict() == expected, f"{name}: the row read back differs"
            del loaded
        finally:
            store.close()
    size = native.stat().st_size
    say(
        f"   native: LabelRow.load(path)  best {min(times['native']):6.3f} s   "
        f"median {statistics.median(times['native']):6.3f} s   (file {size / 2**20:.1f} MiB)"
    )
    out = {}
    for name in backends.names():
        best, median = min(times[name]), statistics.median(times[name])
        out[name] = best
        say(
            f"   {name + ': store.load_row':<28} best {best:6.3f} s   median {median:6.3f} s   "
            f"store/native {median / statistics.median(times['native']):4.2f}x (median)"
        )
    return out


# --- 3: importing COCO ------------------------------------------------------------------------------


CATEGORIES = ["car", "bus", "person", "bicycle", "sign"]


def write_coco(path: Path, annotations: int, per_image: int, seed: int) -> int:
    """A COCO file of ``annotations`` boxes on 1920x1080 images of ``per_image`` boxes each; returns the image count."""
    images = max(1, -(-annotations // per_image))
    rng = np.random.default_rng(seed)
    with open(path, "wb") as f:
        f.write(b'{"info":{"description":"bench_store"},"licenses":[],"categories":')
        f.write(orjson.dumps([{"id": i + 1, "name": c, "supercategory": "thing"} for i, c in enumerate(CATEGORIES)]))
        f.write(b',"images":')
        f.write(
            orjson.dumps(
                [
                    {"id": i + 1, "file_name": f"img{i + 1:07d}.jpg", "width": 1920, "height": 1080}
                    for i in range(images)
                ]
            )
        )
        f.write(b',"annotations":[')
        chunk = 100_000
        for start in range(0, annotations, chunk):
            k = min(chunk, annotations - start)
            ids = np.arange(start, start + k)
            wh = rng.uniform(10, 200, (k, 2)).round(1)
            xy = (rng.uniform(0, 1, (k, 2)) * ([1920, 1080] - wh)).round(1)
            cats = rng.integers(1, len(CATEGORIES) + 1, k)
            records = [
                {
                    "id": int(i) + 1,
                    "image_id": int(i) // per_image + 1,
                    "category_id": int(c),
                    "bbox": [x, y, w, h],
                    "area": round(w * h, 2),
                    "iscrowd": 0,
                }
                for i, c, (x, y), (w, h) in zip(ids.tolist(), cats.tolist(), xy.tolist(), wh.tolist(), strict=True)
            ]
            if start:
                f.write(b",")
            f.write(orjson.dumps(records)[1:-1])
        f.write(b"]}")
    return images


def importing(backends: Backends, args: argparse.Namespace) -> dict[str, float]:
    n = args.annotations
    say()
    say(f"3. import: a COCO file of {n:,} boxes, {args.per_image} on each image")
    coco = backends.tmp / "big.coco.json"
    t_write, images = timed(lambda: write_coco(coco, n, args.per_image, seed=4))
    note(f"COCO written: {images:,} images, {coco.stat().st_size / 2**20:.1f} MiB in {t_write:.1f} s; reading it")
    t_read, project = timed(lambda: load_labels(coco))
    rows = len(project)
    count = sum(len(s.get_object_instances()) for r in project for s in r.list_spaces())
    assert count == n, f"the COCO import holds {count} objects, not {n}"
    note(f"read with labelspace.formats.load in {t_read:.1f} s ({rows:,} rows); writing the native file")
    coco.unlink()
    native = backends.tmp / "big.json"
    t_native, _ = timed(lambda: project.save(native))
    native_size = native.stat().st_size
    native.unlink()
    note(f"native file written in {t_native:.1f} s")
    out = {"native": t_native, "read": t_read}
    sizes = {}
    for name in backends.names():
        url = backends.url(name, "coco")
        store = Store(url)
        try:
            note(f"{name}: add_project")
            out[name], _ = timed(lambda: store.add_project("coco", project))
            note(f"{name}: add_project took {out[name]:.1f} s")
            out[f"{name} edits"] = first_edits(store, project)
            if name == "SQLite":
                sizes[name] = sqlite_size(Path(url))
        finally:
            store.close()
        if name == "SQLite":
            Path(url).unlink()
    say(f"   labelspace.formats.load (COCO)    {t_read:7.1f} s   ({t_read / n * 1e6:.1f} us a box; {rows:,} rows)")
    say(
        f"   native: project.save(path)        {t_native:7.1f} s   ({t_native / n * 1e6:.1f} us a box; "
        f"file {native_size / 2**20:.1f} MiB)"
    )
    for name in backends.names():
        size = f"; file {sizes[name] / 2**20:.1f} MiB" if name in sizes else ""
        say(
            f"   {name + ': add_project':<34}{out[name]:7.1f} s   ({out[name] / n * 1e6:.1f} us a box{size})   "
            f"native/store {t_native / out[name]:5.2f}x"
        )
    for name in backends.names():
        t_open, first, later = out[f"{name} edits"]
        say(
            f"   {name}: an imported image opened for editing (its block moved out) in {t_open * 1e3:.1f} ms; "
            f"its first edit {first * 1e3:.1f} ms, "
            f"the next 20 median {statistics.median(later) * 1e3:.2f} ms"
        )
    return out


def first_edits(store: Store, project: Project) -> tuple[float, float, list[float]]:
    """An imported row (in the middle) opened, then edited: the first edit and the next 20."""
    info = store.rows("coco")[len(project) // 2]
    # Timed without timed()'s collection first: with the imported project alive, each takes seconds.
    start = time.perf_counter()
    stored = store.open_row(info.id, user="bench")
    t_open = time.perf_counter() - start
    space = stored.row.list_spaces()[0]
    boxes = space.get_object_instances()
    times = []
    for i in range(21):
        op = {
            "op": "put_object",
            "space": space.space_id,
            "object": boxes[i].object_hash,
            "feature": boxes[i].feature_hash,
            "frames": [[0, 0]],
            "coordinates": {"x": 0.1 + i / 100, "y": 0.2, "w": 0.05, "h": 0.05},
            "on_overlap": "replace",
        }
        start = time.perf_counter()
        stored.apply(op)
        times.append(time.perf_counter() - start)
    return t_open, times[0], times[1:]


# --- the run ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--edits", type=int, default=500, help="edits in part 1 (500)")
    parser.add_argument("--objects", type=int, default=200, help="objects on the row edited in part 1 (200)")
    parser.add_argument("--video-frames", type=int, default=1_000, help="frames of the video edited in part 1 (1,000)")
    parser.add_argument("--frames-objects", type=int, default=100, help="objects of the row opened in part 2 (100)")
    parser.add_argument("--frames", type=int, default=10_000, help="frames of each object in part 2 (10,000)")
    parser.add_argument("--repeats", type=int, default=5, help="openings timed in part 2 (5)")
    parser.add_argument(
        "--annotations", type=int, default=2_000_000, help="boxes in the COCO file of part 3 (2,000,000)"
    )
    parser.add_argument("--per-image", type=int, default=100, help="boxes on each image in part 3 (100)")
    parser.add_argument("--parts", default="1,2,3", help="which parts to run (4 comes with 1): e.g. 1,2")
    parser.add_argument("--skip-postgres", action="store_true", help="measure SQLite only")
    args = parser.parse_args()
    parts = {int(p) for p in args.parts.split(",") if p.strip()}

    with tempfile.TemporaryDirectory(prefix="bench-store-") as folder:
        backends = Backends(Path(folder), postgres=not args.skip_postgres)
        try:
            pg = f"PostgreSQL {backends.version} (local, TCP)" if backends.version else "PostgreSQL skipped"
            say(
                f"labelspace store | Python {platform.python_version()} | SQLite {sqlite3.sqlite_version} | {pg} | "
                f"SQLAlchemy {sqlalchemy.__version__} | {os.cpu_count()} cores | load average {os.getloadavg()[0]:.1f}"
            )
            started = time.perf_counter()
            targets: list[str] = []
            if 1 in parts:
                results = edit_latency(backends, args)
                p95 = percentile(results["SQLite"], 95) * 1e3
                targets.append(f"edit p95 <= 5 ms on SQLite: {p95:.2f} ms, {met(p95 <= 5)}")
                if "PostgreSQL" in results:
                    p95 = percentile(results["PostgreSQL"], 95) * 1e3
                    targets.append(f"edit p95 <= 10 ms on PostgreSQL: {p95:.2f} ms, {met(p95 <= 10)}")
            if 2 in parts:
                best = opening(backends, args)
                for name, t in best.items():
                    targets.append(
                        f"open {args.frames_objects * args.frames:,} frame annotations <= 0.5 s on {name}: "
                        f"best {t:.3f} s, {met(t <= 0.5)}"
                    )
            if 3 in parts:
                out = importing(backends, args)
                for name in backends.names():
                    targets.append(
                        f"import {args.annotations:,} boxes on {name} at least as fast as the native writer: "
                        f"{out[name]:.1f} s vs {out['native']:.1f} s, {met(out[name] <= out['native'])}"
                    )
            if 1 in parts:
                log_size(backends, results, args)
            say()
            say("targets:")
            for line in targets:
                say(f"   {line}")
            say(f"load average {os.getloadavg()[0]:.1f} at the end; {time.perf_counter() - started:.0f} s in all")
        finally:
            backends.stop()


if __name__ == "__main__":
    main()
