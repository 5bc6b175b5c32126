"""Structure-aware fuzzing of every format's reader.

A valid file of a format is parsed into its structure (a JSON tree, an XML tree, the lines of a
YOLO label file, a Parquet table and its metadata); one value in it is swapped for something
hostile (NaN, infinities, huge and negative numbers, wrong types) or its key is removed; the file
is written back and read with ``labelspace.formats.load``. Only labelspace errors may escape, and
Python memory stays under a bound.

Run ``python -m tests.formats.fuzzing [--cases N] [--seed S]`` for a table of what escaped, per
format; the tests in ``test_fuzz.py`` run the same cases with hypothesis.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import shutil
import signal
import tempfile
import tracemalloc
import warnings
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labelspace import LabelspaceError

MEMORY_BOUND = 256 * 2**20
"""Traced Python memory a read of a small hostile file may use."""

HOSTILE: list[Any] = [
    math.nan,
    math.inf,
    -math.inf,
    1e308,
    -1,
    0,
    -(2**31),
    2**31,
    2**63,
    10**30,
    60000,
    "",
    "x",
    "../../etc/passwd",
    "/etc/passwd",
    [],
    {},
    None,
    True,
    [1, 2],
    [[0.1, 0.2]],
    {"a": 1},
]
"""Values swapped in; a key may also be removed."""

DELETE = object()


def _text(value: Any) -> str:
    """A hostile value as XML or YOLO text."""
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else "inf"
            if value == math.inf
            else "-inf"
            if value == -math.inf
            else repr(value)
        )
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return "" if value is None else str(value)


# --- structures ---------------------------------------------------------------------------------


def json_paths(
    node: Any, prefix: tuple[Any, ...] = (), out: list[tuple[Any, ...]] | None = None
) -> list[tuple[Any, ...]]:
    """Every path into a JSON tree (keys and indexes), parents before children."""
    out = [] if out is None else out
    if prefix:
        out.append(prefix)
    if isinstance(node, dict):
        for k, v in node.items():
            json_paths(v, (*prefix, k), out)
    elif isinstance(node, list):
        for i, v in enumerate(node[:40]):  # long columns: the first entries stand for the rest
            json_paths(v, (*prefix, i), out)
    return out


def json_mutate(tree: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A copy of ``tree`` with the value at ``path`` replaced (or deleted)."""
    tree = json.loads(json.dumps(tree))
    parent = tree
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if value is DELETE:
        del parent[last]
    else:
        parent[last] = value
    return tree


def _write_json(path: Path, tree: Any) -> None:
    data = json.dumps(tree, allow_nan=True).encode()  # NaN and Infinity as Python's json writes them
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)


def _read_json(path: Path) -> Any:
    data = path.read_bytes()
    return json.loads(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data)


def xml_sites(root: ET.Element) -> list[tuple[int, str | None]]:
    """Every (element index, attribute name or None for its text) of an XML tree."""
    sites: list[tuple[int, str | None]] = []
    for i, element in enumerate(root.iter()):
        sites.append((i, None))
        sites.extend((i, name) for name in element.attrib)
    return sites


def xml_mutate(root: ET.Element, site: tuple[int, str | None], value: Any) -> None:
    """Replace (or delete) one attribute or text in place."""
    index, name = site
    element = list(root.iter())[index]
    if name is None:
        if value is DELETE:
            for parent in root.iter():
                if element in list(parent):
                    parent.remove(element)
                    return
            element.text = None
        else:
            element.text = _text(value)
    elif value is DELETE:
        del element.attrib[name]
    else:
        element.set(name, _text(value))


# --- one case -----------------------------------------------------------------------------------


@dataclass
class Sample:
    """A valid file (or folder) of a format, written by a format's writer or shaped like another tool's."""

    format: str
    name: str
    path: Path  # what load() is given
    targets: list[Path]  # the files a case may mutate
    options: dict[str, Any] = field(default_factory=dict)  # load() keyword arguments (a COCO results' dataset)


def mutable_files(sample_path: Path) -> list[Path]:
    """The files of a sample that a case may mutate."""
    if sample_path.is_file():
        return [sample_path]
    return sorted(
        p for p in sample_path.rglob("*") if p.is_file() and p.suffix in {".json", ".xml", ".txt", ".yaml", ".gz"}
    )


def mutate(target: Path, rng: random.Random) -> str:
    """Swap one value of ``target`` for a hostile one, in place; return what was done."""
    value = DELETE if rng.random() < 0.15 else rng.choice(HOSTILE)
    shown = "delete" if value is DELETE else repr(value)[:30]
    if target.suffix == ".parquet":
        return _mutate_parquet(target, rng, value, shown)
    if target.name.endswith((".json", ".json.gz")):
        tree = _read_json(target)
        paths = json_paths(tree)
        if not paths:
            return "empty"
        path = rng.choice(paths)
        _write_json(target, json_mutate(tree, path, value))
        return f"{target.name}:{'/'.join(map(str, path))[:80]} = {shown}"
    if target.suffix == ".xml":
        document = ET.parse(target)
        root = document.getroot()
        site = rng.choice(xml_sites(root))
        xml_mutate(root, site, value)
        document.write(target, encoding="utf-8")
        return f"{target.name}:element {site[0]} {site[1] or 'text'} = {shown}"
    if target.suffix in (".txt", ".yaml"):
        lines = target.read_text().splitlines() or [""]
        n = rng.randrange(len(lines))
        tokens = lines[n].split(" ")
        k = rng.randrange(len(tokens))
        if value is DELETE:
            del tokens[k]
        else:
            tokens[k] = _text(value)
        lines[n] = " ".join(tokens)
        target.write_text("\n".join(lines) + "\n")
        return f"{target.name}:line {n + 1} token {k} = {shown}"
    return "unmutated"


def _mutate_parquet(target: Path, rng: random.Random, value: Any, shown: str) -> str:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(target)
    metadata = dict(table.schema.metadata or {})
    if rng.random() < 0.5 and b"labelspace" in metadata:
        tree = json.loads(metadata[b"labelspace"])
        path = rng.choice(json_paths(tree))
        metadata[b"labelspace"] = json.dumps(json_mutate(tree, path, value), allow_nan=True).encode()
        pq.write_table(table.replace_schema_metadata(metadata), target)
        return f"metadata:{'/'.join(map(str, path))[:80]} = {shown}"
    column = rng.randrange(table.num_columns)
    name = table.schema.names[column]
    values = table.column(column).to_pylist()
    if not values:
        return "empty"
    i = rng.randrange(len(values))
    kind = table.schema.field(column).type
    if value is DELETE:
        values[i] = None
    elif pa.types.is_floating(kind) and isinstance(value, (int, float)) and not isinstance(value, bool):
        values[i] = float(value)
    elif (
        pa.types.is_integer(kind)
        and isinstance(value, int)
        and not isinstance(value, bool)
        and -(2**31) <= value < 2**31
    ):
        values[i] = value
    elif pa.types.is_string(kind):
        values[i] = _text(value)
    else:
        values[i] = None
    columns = [table.column(j) if j != column else pa.array(values, type=kind) for j in range(table.num_columns)]
    pq.write_table(pa.Table.from_arrays(columns, schema=table.schema), target)
    return f"column {name} row {i} = {shown}"


CASE_SECONDS = 20
"""A read of a small file that takes longer than this is a failure (a loop over a declared size)."""


class TookTooLongError(Exception):
    """A read ran past ``CASE_SECONDS``."""


def _too_long(signum: int, frame: Any) -> None:
    raise TookTooLongError(f"the read took over {CASE_SECONDS} s")


@dataclass
class Outcome:
    """How one read of a mutated sample ended."""

    what: str
    escaped: BaseException | None
    peak: int
    caught_by_net: bool = False  # a FormatError of the readers' safety net, not of a specific check


def run_case(sample: Sample, seed: int, workdir: Path) -> Outcome:
    """Copy the sample, mutate one value of one of its files, read it; report what escaped."""
    from labelspace import formats

    rng = random.Random(seed)
    net = False
    case = workdir / f"case{seed}"
    if case.exists():
        shutil.rmtree(case)
    case.mkdir(parents=True)
    copy = case / sample.path.name
    if sample.path.is_dir():
        shutil.copytree(sample.path, copy)
    else:
        shutil.copy2(sample.path, copy)
        for extra in sample.path.parent.glob(sample.path.name.removesuffix(".json") + ".*.json"):
            shutil.copy2(extra, case / extra.name)  # an Encord row's ontology beside it
    targets = [case / t.relative_to(sample.path.parent) for t in sample.targets]
    what = mutate(rng.choice(targets), rng)
    tracemalloc.start()
    signal.signal(signal.SIGALRM, _too_long)
    signal.alarm(CASE_SECONDS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            formats.load(copy, sample.format, **sample.options)
        escaped = None
    except LabelspaceError as e:
        escaped = None
        net = "malformed value (" in str(e)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:
        escaped = e
    finally:
        signal.alarm(0)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        shutil.rmtree(case, ignore_errors=True)
    return Outcome(what, escaped, peak, net)


# --- samples ------------------------------------------------------------------------------------


SAMPLE_NAMES = {
    "labelspace": "labels.json",
    "coco": "coco.json",
    "cvat": "cvat.xml",
    "voc": "voc",
    "yolo": "yolo",
    "encord": "encord.json",
    "parquet": "labels.parquet",
    "labelstudio": "tasks.json",
    "labelme": "labelme",
}
DATA = Path(__file__).parent / "data"


def _sample(fmt: str, name: str, path: Path, **options: Any) -> Sample:
    targets = [path] if path.suffix == ".parquet" else mutable_files(path)
    if fmt == "encord":  # the ontology beside the row may be hostile too
        targets += [path.with_name(path.name.removesuffix(".json") + ".ontology.json")]
    return Sample(fmt, name, path, targets, options)


def written_samples(root: Path) -> list[Sample]:
    """Valid files of every format, written by labelspace's own writers from two projects."""
    from labelspace import formats
    from tests.formats.samples import image_project, video_project

    samples = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for project_name, project in (("images", image_project()), ("video", video_project())):
            for fmt, name in SAMPLE_NAMES.items():
                target = root / fmt / project_name / name
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    formats.save(project, target, fmt)
                except LabelspaceError:
                    continue  # the format cannot hold this project at all
                if fmt == "yolo":
                    _images_for(target, project)
                samples.append(_sample(fmt, f"{fmt}/{project_name}", target))
    return samples


def _images_for(dataset: Path, project: Any) -> None:
    """The images a YOLO dataset takes its sizes from, as tiny files of the right size."""
    from PIL import Image

    for label in (dataset / "labels").rglob("*.txt"):
        image = dataset / "images" / label.relative_to(dataset / "labels").with_suffix(".png")
        image.parent.mkdir(parents=True, exist_ok=True)
        Image.new("1", (64, 48)).save(image)


def external_samples(root: Path) -> list[Sample]:
    """Valid files written by the other tools (or shaped like their exports)."""
    from tests.formats.samples import coco_person_layout, coco_results, cvat_video_file

    samples = []
    encord = root / "encord-sdk"
    encord.mkdir(parents=True)
    try:
        from tests.encord_peer import sdk_examples, sdk_ontology
    except ImportError:  # the Encord SDK is a dev extra
        pass
    else:
        structure = sdk_ontology()
        for layout, d in sdk_examples(structure).items():
            path = encord / f"{layout}.json"
            path.write_text(json.dumps(d, default=str))
            path.with_name(f"{layout}.ontology.json").write_text(json.dumps(structure.to_dict()))
            samples.append(_sample("encord", f"encord/sdk-{layout}", path))
    coco = root / "coco-world"
    coco.mkdir()
    (coco / "person.json").write_text(json.dumps(coco_person_layout()))
    samples.append(_sample("coco", "coco/person-layout", coco / "person.json"))
    dataset, results = coco_results()
    (coco / "dataset.json").write_text(json.dumps(dataset))
    (coco / "results.json").write_text(json.dumps(results))
    samples.append(_sample("coco", "coco/results", coco / "results.json", dataset=coco / "dataset.json"))
    cvat = root / "cvat-shaped"
    cvat.mkdir()
    (cvat / "video.xml").write_text(cvat_video_file())
    samples.append(_sample("cvat", "cvat/video-shaped", cvat / "video.xml"))
    for name in ("labelstudio_images.json", "labelstudio_video.json"):
        target = root / "labelstudio" / name
        target.parent.mkdir(exist_ok=True)
        shutil.copy2(DATA / "labelstudio" / name, target)
        samples.append(_sample("labelstudio", f"labelstudio/{name}", target))
    _video(root / "labelstudio" / "dashcam_clip.mp4", 250)  # Label Studio's export leaves a video's size to the video
    shutil.copytree(DATA / "labelme", root / "labelme")  # its image paths lead to ../images, as labelme's often do
    samples.append(_sample("labelme", "labelme/fixtures", root / "labelme", allow_outside_media=True))
    return samples


def _video(path: Path, frames: int) -> None:
    """A tiny H.264 video of ``frames`` frames (64 x 48, 25 fps)."""
    import av
    import numpy as np

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for _ in range(frames):
            frame = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())


def all_samples(root: Path) -> list[Sample]:
    """Every sample: labelspace's own writers' files and the other tools'."""
    return [*written_samples(root / "written"), *external_samples(root / "external")]


def report(cases: int, seed: int, examples: list[str] | None = None, which: str = "all") -> dict[str, Counter[str]]:
    """Run ``cases`` cases per sample; return, per format, counts of how reads ended (and describe escapes)."""
    results: dict[str, Counter[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        chosen = {
            "all": all_samples,
            "written": lambda root: written_samples(root / "written"),
            "external": lambda root: external_samples(root / "external"),
        }[which](root / "samples")
        for sample in chosen:
            counts = results.setdefault(sample.format, Counter())
            for k in range(cases):
                outcome = run_case(sample, seed * 1_000_003 + k, root / "work")
                counts["cases"] += 1
                if outcome.escaped is not None:
                    counts[type(outcome.escaped).__name__] += 1
                    if examples is not None:
                        examples.append(
                            f"{sample.name} seed {seed * 1_000_003 + k}: {outcome.what}: {outcome.escaped!r:.200}"
                        )
                if outcome.caught_by_net:
                    counts["caught by the net"] += 1
                if outcome.peak > MEMORY_BOUND:
                    counts["over memory bound"] += 1
    return results


def main() -> None:
    """Print what escaped per format."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=200, help="cases per sample")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--samples",
        choices=["all", "written", "external"],
        default="all",
        help="labelspace's files, other tools', or both",
    )
    args = parser.parse_args()
    examples: list[str] = []
    for fmt, counts in report(args.cases, args.seed, examples, args.samples).items():
        escaped = {k: v for k, v in counts.items() if k not in ("cases", "caught by the net")}
        print(
            f"{fmt:<12} {counts['cases']:>6} cases  escaped: {sum(escaped.values()) or 'none'} {dict(escaped) or ''}"
            f"  (caught by the readers' net: {counts['caught by the net']})"
        )
    for line in examples[:40]:
        print(" ", line)


if __name__ == "__main__":
    main()
