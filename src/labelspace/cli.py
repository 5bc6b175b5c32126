"""The ``labelspace`` command line."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from labelspace import __version__
from labelspace.model.errors import LabelspaceError

FORMAT_NAMES = ["labelspace", "encord", "coco", "yolo", "voc", "cvat", "parquet"]


def _fail(message: str) -> None:
    """A bad file or input: one line naming it, exit status 1."""
    click.echo(f"labelspace: {message}", err=True)
    sys.exit(1)


@click.group()
@click.version_option(__version__, prog_name="labelspace")
def main() -> None:
    """Label images, videos and medical volumes."""


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
def demo(out: Path, frames: int, tracks: int) -> None:
    """Label the bundled sample (an image and a long video), save it, reload it and print a summary."""
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


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.argument("output_path", metavar="OUTPUT", type=click.Path(path_type=Path))
@click.option("--from", "from_format", type=click.Choice(FORMAT_NAMES), help="Format of INPUT (guessed when omitted).")
@click.option("--to", "to_format", type=click.Choice(FORMAT_NAMES), required=True, help="Format of OUTPUT.")
@click.option("--ontology", "ontology_path", type=click.Path(path_type=Path), help="Ontology JSON the labels use.")
@click.option("--media", "media_root", type=click.Path(path_type=Path), help="Folder the media paths are relative to.")
def convert(
    input_path: Path,
    output_path: Path,
    from_format: str | None,
    to_format: str,
    ontology_path: Path | None,
    media_root: Path | None,
) -> None:
    """Convert labels from one format to another."""
    from labelspace import formats
    from labelspace.model.ontology import Ontology

    try:
        ontology = None
        if ontology_path is not None:
            import json

            try:
                d = json.loads(ontology_path.read_text())
                if (from_format or formats.guess_format(input_path)) == "encord":
                    from labelspace.formats.encord import ontology_from_encord

                    ontology = ontology_from_encord(d, str(ontology_path))
                else:
                    ontology = Ontology.from_dict(d)
            except ValueError as e:
                raise LabelspaceError(f"{ontology_path}: {getattr(e, 'message', e)}") from None
        project = formats.load(input_path, from_format, ontology)
        if media_root is not None:
            for row in project.rows:
                for space in row.list_spaces():
                    if space.media is not None and not Path(space.media).is_absolute():
                        space.media = str(media_root / space.media)
        formats.save(project, output_path, to_format)
    except (LabelspaceError, OSError) as e:
        _fail(getattr(e, "message", None) or str(e))
    rows = project.rows
    click.echo(f"wrote {output_path} ({to_format}): {len(rows)} rows, {sum(len(r.list_spaces()) for r in rows)} spaces")


@main.command()
@click.argument("path", metavar="FILE", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), help="The file's format (guessed when omitted).")
def info(path: Path, fmt: str | None) -> None:
    """Print counts of spaces, objects, frames and classes in a labels file."""
    from labelspace import formats

    try:
        project = formats.load(path, fmt)
    except (LabelspaceError, OSError) as e:
        _fail(getattr(e, "message", None) or str(e))
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
    click.echo(f"{path} ({fmt or formats.guess_format(path)})")
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
    for name, count in sorted(per_class.items()):
        click.echo(f"    {name}: {count}")
