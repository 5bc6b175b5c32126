"""The ``labelspace`` command line."""

from __future__ import annotations

import json
import sys
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn, TypeVar

import click

from labelspace import __version__
from labelspace.formats import FORMAT_NAMES
from labelspace.formats.encord import LAYOUTS as ENCORD_LAYOUTS
from labelspace.model.errors import FormatError, LabelspaceError, OntologyError
from labelspace.model.ontology import Ontology
from labelspace.model.project import Project

T = TypeVar("T")


def _fail(message: str) -> NoReturn:
    """A bad file or input: one line naming it, exit status 1."""
    click.echo(f"labelspace: {message}", err=True)
    sys.exit(1)


@click.group()
@click.version_option(__version__, prog_name="labelspace")
def main() -> None:
    """Label images, videos and medical volumes."""


@main.command()
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-project"),
    show_default=True,
    help="Working folder: the sample project is made here, or reused if it is there.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port for JupyterLab on 127.0.0.1 (0: a free one).",
)
@click.option(
    "--browser/--no-browser",
    default=False,
    show_default=True,
    help="Open the notebook in a web browser too.",
)
def demo(folder: Path, port: int, browser: bool) -> None:
    """Open the Annotator on a sample project in JupyterLab; Ctrl-C stops it.

    The first run makes the project (drawn street images, an ontology with every shape and
    attribute, labels and predictions to review) in the working folder; later runs reuse it, so
    edits are kept. JupyterLab listens on 127.0.0.1 behind a random token; the URL to open is
    printed. Needs JupyterLab (pip install 'labelspace[lab]').
    """
    from labelspace import _lab

    try:
        status = _lab.run(folder, port=port, browser=browser, echo=click.echo)
    except LabelspaceError as e:
        _fail(e.message)
    except OSError as e:
        _fail(str(e))
    sys.exit(status)


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-output"),
    show_default=True,
    help="Folder to write labels.json to.",
)
@click.option(
    "--frames",
    type=click.IntRange(100, 10_000_000),
    default=10_000,
    show_default=True,
    help="Frames of the demo video.",
)
@click.option("--tracks", type=click.IntRange(1, 1000), default=20, show_default=True, help="Car tracks on the video.")
def summary(out: Path, frames: int, tracks: int) -> None:
    """Label a sample image and a long video without a notebook, save, reload and print a summary.

    The headless demo, for scripts: it needs nothing beyond the base install.
    """
    from labelspace._demo import run_demo

    result = run_demo(out, frames=frames, tracks=tracks)
    click.echo(
        f"labelled in {result.label_seconds * 1000:.0f} ms; saved {result.path} "
        f"({result.bytes / 1024:.0f} KiB) in {result.save_seconds * 1000:.0f} ms; "
        f"reloaded in {result.load_seconds * 1000:.0f} ms"
    )
    click.echo(
        f"{'space':<14}{'kind':<8}{'frames':>8}{'objects':>9}{'object frames':>15}"
        f"{'classif.':>10}{'classif. frames':>17}{'dynamic answers':>17}"
    )
    for s in result.summary:
        click.echo(
            f"{s.space_id:<14}{s.kind:<8}{s.frames:>8}{s.objects:>9}{s.object_frames:>15}"
            f"{s.classifications:>10}{s.classification_frames:>17}{s.dynamic_answer_frames:>17}"
        )
    if not result.round_trip_equal:
        raise click.ClickException("the reloaded labels differ from the saved ones")
    click.echo("round trip: the reloaded labels equal the saved ones")


def _ontology(path: Path) -> Ontology:
    """An ontology given with --ontology: labelspace's JSON, or Encord's (told apart by their keys).

    Encord ontology kinds labelspace does not draw are dropped and listed.
    """
    from labelspace.formats._reading import read_json
    from labelspace.formats.encord import ontology_from_encord

    d = read_json(path)
    if "featureNodeHash" in json.dumps(d)[:100_000]:
        return ontology_from_encord(d, str(path))
    try:
        return Ontology.from_dict(d)
    except OntologyError as e:
        raise FormatError(f"{path}: not an ontology labelspace reads ({e.message})") from None


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.argument("output_path", metavar="OUTPUT", type=click.Path(path_type=Path))
@click.option(
    "--from", "from_format", type=click.Choice(FORMAT_NAMES), help="Format of INPUT (recognised when omitted)."
)
@click.option("--to", "to_format", type=click.Choice(FORMAT_NAMES), required=True, help="Format of OUTPUT.")
@click.option(
    "--ontology",
    "ontology_path",
    type=click.Path(path_type=Path),
    help="Ontology JSON the labels use (labelspace's, or Encord's for Encord files).",
)
@click.option(
    "--media",
    "media_root",
    type=click.Path(path_type=Path),
    help="Folder the media paths in INPUT are relative to (and where image sizes are read from).",
)
@click.option("--allow-outside-media", is_flag=True, help="Keep media paths that lead outside the media folder.")
@click.option("--overwrite", is_flag=True, help="Replace a non-empty OUTPUT folder whole (folder formats).")
@click.option(
    "--dataset",
    "dataset_path",
    type=click.Path(path_type=Path),
    help="For a COCO results file: the COCO dataset the detections are on.",
)
@click.option(
    "--layout",
    type=click.Choice(list(ENCORD_LAYOUTS)),
    help="For Encord output: the label-row layout (the one that fits each row when omitted).",
)
def convert(
    input_path: Path,
    output_path: Path,
    from_format: str | None,
    to_format: str,
    ontology_path: Path | None,
    media_root: Path | None,
    allow_outside_media: bool,
    overwrite: bool,
    dataset_path: Path | None,
    layout: str | None,
) -> None:
    """Convert labels from one format to another."""
    from labelspace import formats

    def run() -> tuple[Project, Counter[str]]:
        project = formats.load(
            input_path,
            from_format,
            _ontology(ontology_path) if ontology_path is not None else None,
            media=media_root,
            allow_outside_media=allow_outside_media,
            dataset=dataset_path,
        )
        saved = formats.save(project, output_path, to_format, overwrite=overwrite, layout=layout, media=media_root)
        return project, saved

    project, _ = _guarded(run)
    rows = project.rows
    click.echo(f"wrote {output_path} ({to_format}): {len(rows)} rows, {sum(len(r.list_spaces()) for r in rows)} spaces")


def _guarded(work: Callable[[], T]) -> T:
    """Run ``work``: labels a format drops are printed as warnings; any failure is one line and status 1."""
    from labelspace.formats import DroppedLabelsWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DroppedLabelsWarning)
        try:
            result = work()
        except (LabelspaceError, OSError) as e:
            _print_warnings(caught)
            _fail(getattr(e, "message", None) or str(e))
        except KeyboardInterrupt:
            _fail("interrupted; no output was changed.")
        except Exception as e:  # a defect: still one line, never a traceback
            _print_warnings(caught)
            _fail(
                f"unexpected {type(e).__name__}: {e}. This is a labelspace bug; please report it with the input file."
            )
    _print_warnings(caught)
    return result


def _print_warnings(caught: list[warnings.WarningMessage]) -> None:
    for w in caught:
        click.echo(f"labelspace: warning: {w.message}", err=True)


@main.command()
@click.argument("path", metavar="FILE", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), help="The file's format (recognised when omitted).")
@click.option("--media", "media_root", type=click.Path(path_type=Path), help="Folder the media paths are relative to.")
@click.option("--allow-outside-media", is_flag=True, help="Keep media paths that lead outside the media folder.")
def info(path: Path, fmt: str | None, media_root: Path | None, allow_outside_media: bool) -> None:
    """Print counts of spaces, objects, frames and classes in a labels file or folder."""
    from labelspace import formats

    def run() -> tuple[str, Project]:
        return formats.read(path, fmt, media=media_root, allow_outside_media=allow_outside_media)

    name, project = _guarded(run)
    kinds: Counter[str] = Counter()
    objects = classifications = object_frames = classification_frames = 0
    per_class: Counter[str] = Counter()
    for row in project.rows:
        for space in row.list_spaces():
            kinds[space.kind] += 1
            for o in space.get_object_instances():
                objects += 1
                frames = sum(len(r) for r in space.get_object_frames(o))
                object_frames += frames
                per_class[o.ontology_item.name] += frames
            for c in space.get_classification_instances():
                classifications += 1
                classification_frames += (
                    sum(len(r) for r in space.get_classification_frames(c)) or space.number_of_frames
                )
                per_class[c.ontology_item.title] += 1
    click.echo(f"{path} ({name})")
    click.echo(f"  rows:                    {len(project.rows)}")
    click.echo(
        f"  spaces:                  {sum(kinds.values())} ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))})"
    )
    click.echo(f"  object instances:        {objects} on {object_frames} frames")
    click.echo(f"  classification instances: {classifications} on {classification_frames} frames")
    ontology = project.ontology
    click.echo(
        f"  classes:                 {len(ontology.objects)} objects, {len(ontology.classifications)} classifications"
    )
    for class_name, count in sorted(per_class.items()):
        click.echo(f"    {class_name}: {count}")
