"""The ``labelspace`` command line."""

from __future__ import annotations

from pathlib import Path

import click

from labelspace import __version__


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
