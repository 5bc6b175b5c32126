"""The ``labelspace`` command line."""

from __future__ import annotations

import json
import os
import re
import sys
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar

import click

from labelspace import __version__
from labelspace.formats import FORMAT_NAMES
from labelspace.formats.encord import LAYOUTS as ENCORD_LAYOUTS
from labelspace.model.errors import FormatError, LabelspaceError, OntologyError, StoreError
from labelspace.model.ontology import Ontology
from labelspace.model.project import Project

if TYPE_CHECKING:
    from labelspace.store import Store

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


STORE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
"""A file path ending in one of these is a store (an embedded SQLite file), not a labels file."""

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def _is_store(target: str, fmt: str | None, *, reading: bool) -> bool:
    """Whether INPUT or OUTPUT names a store.

    A store is a URL (``sqlite:///path``, ``postgresql://...``), or a path ending in ``.db``,
    ``.sqlite`` or ``.sqlite3`` (for INPUT, one that is an existing file) unless ``fmt``, the
    format --from or --to gives, says it is a labels file.
    """
    if _URL.match(target):
        return True  # any scheme: the store names the ones it knows when it is not one of them
    if fmt is not None:
        return False
    path = Path(target)
    return path.suffix.lower() in STORE_SUFFIXES and (not reading or path.is_file())


def _sqlite_file(target: str) -> Path | None:
    """The file of a SQLite store (a path, or ``sqlite:///path``); None for PostgreSQL.

    Raises:
        StoreError: For a URL no store takes (the store's own message).
    """
    from labelspace.store._engine import normalise_url

    url = normalise_url(target)
    return Path(url[len("sqlite:///") :]) if url.startswith("sqlite:") else None


def _open_existing(target: str) -> Store:
    """Open a store to read: a SQLite file must be there already (opening a missing one would create it)."""
    from labelspace.store import Store

    path = _sqlite_file(target)
    if path is not None and not path.is_file():
        raise StoreError(f"{path}: no such store file.")
    return Store(target)


def _read_store(target: str, project: str | None) -> tuple[Project, str]:
    """A store's project (its only one when ``project`` is None), and the project's name."""
    with _open_existing(target) as store:
        found = store.projects()
        if project is None and not found:
            raise StoreError(f"{store.url_shown} has no projects.")
        if project is None and len(found) > 1:
            names = [p["name"] for p in found][:10]
            raise StoreError(f"{store.url_shown} has {len(found)} projects; pass --project with one of {names}.")
        pid = store.project_id(project)
        name = next(str(p["name"]) for p in found if p["id"] == pid)
        return store.load_project(pid), name


def _write_store(target: str, name: str, project: Project) -> str:
    """Add ``project`` to a store as a new project, in one transaction; returns the store as it may be shown.

    A SQLite file this makes is removed again when the project cannot be added.
    """
    from labelspace.store import Store

    path = _sqlite_file(target)
    new = path is not None and not path.exists()
    try:
        with Store(target) as store:
            if any(p["name"] == name for p in store.projects()):
                raise StoreError(f"{store.url_shown} already has a project {name!r}; pass --project with another name.")
            store.add_project(name, project)
            return store.url_shown
    except BaseException:
        if new and path is not None:
            for leftover in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
                leftover.unlink(missing_ok=True)
        raise


def _default_name(source: str) -> str:
    """A project's name from its input file or folder: ``labels.json`` -> ``labels``."""
    name = Path(os.path.abspath(source)).name
    name = name[:-3] if name.lower().endswith(".gz") else name
    return Path(name).stem or name or "labels"


def _not_for(options: dict[str, object], what: str) -> None:
    """Refuse options given (truthy) that do not apply: a usage error, status 2."""
    given = [name for name, value in options.items() if value]
    if given:
        raise click.UsageError(f"{', '.join(given)} {'does' if len(given) == 1 else 'do'} not apply to {what}.")


def _convert(
    source: str,
    target: str,
    *,
    source_store: bool,
    target_store: bool,
    from_format: str | None,
    to_format: str | None,
    project_name: str | None,
    ontology_path: Path | None = None,
    media_root: Path | None = None,
    allow_outside_media: bool = False,
    overwrite: bool = False,
    dataset_path: Path | None = None,
    layout: str | None = None,
) -> None:
    """Read ``source`` (a labels file or folder, or a store) and write ``target`` (the same); print what was written."""
    from labelspace import formats

    if source_store:
        _not_for(
            {
                "--from": from_format,
                "--ontology": ontology_path,
                "--dataset": dataset_path,
                "--allow-outside-media": allow_outside_media,
            },
            f"a store INPUT ({source}): it holds its projects with their ontologies",
        )
    if target_store:
        _not_for(
            {"--to": to_format, "--overwrite": overwrite, "--layout": layout},
            f"a store OUTPUT ({target}): a project is added to it; pass --project to name it",
        )
    elif to_format is None:
        raise click.UsageError("Missing option '--to' (the format of OUTPUT; not needed when OUTPUT is a store).")
    if project_name is not None and not (source_store or target_store):
        raise click.UsageError("--project is for a store INPUT or OUTPUT; neither is a store.")

    def run() -> tuple[Project, str]:
        if source_store:
            project, name = _read_store(source, project_name)
        else:
            project = formats.load(
                Path(source),
                from_format,
                _ontology(ontology_path) if ontology_path is not None else None,
                media=media_root,
                allow_outside_media=allow_outside_media,
                dataset=dataset_path,
            )
            name = _default_name(source)
        if target_store:
            name = name if project_name is None else project_name
            return project, f"{_write_store(target, name, project)} (store, project {name!r})"
        assert to_format is not None
        formats.save(project, Path(target), to_format, overwrite=overwrite, layout=layout, media=media_root)
        return project, f"{Path(target)} ({to_format})"

    project, written = _guarded(run)
    rows = project.rows
    click.echo(f"wrote {written}: {len(rows)} rows, {sum(len(r.list_spaces()) for r in rows)} spaces")


_PROJECT_HELP = (
    "A store's project: the one to read (needed when the store has several), or the name to add "
    "the labels under (default: the input's file name without its extension)."
)


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path())
@click.argument("output_path", metavar="OUTPUT", type=click.Path())
@click.option(
    "--from", "from_format", type=click.Choice(FORMAT_NAMES), help="Format of INPUT (recognised when omitted)."
)
@click.option("--to", "to_format", type=click.Choice(FORMAT_NAMES), help="Format of OUTPUT (omit for a store).")
@click.option("--project", "project_name", metavar="NAME", help=_PROJECT_HELP)
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
    input_path: str,
    output_path: str,
    from_format: str | None,
    to_format: str | None,
    project_name: str | None,
    ontology_path: Path | None,
    media_root: Path | None,
    allow_outside_media: bool,
    overwrite: bool,
    dataset_path: Path | None,
    layout: str | None,
) -> None:
    """Convert labels from one format to another, or into and out of a store.

    INPUT and OUTPUT are labels files or folders, or stores: a sqlite:///path or postgresql://...
    URL, or a path ending in .db, .sqlite or .sqlite3 (unless --from or --to names a format for
    it). Into a store the labels go as a new project (--project names it); out of a store comes a
    project (--project picks it when the store has several).
    """
    _convert(
        input_path,
        output_path,
        source_store=_is_store(input_path, from_format, reading=True),
        target_store=_is_store(output_path, to_format, reading=False),
        from_format=from_format,
        to_format=to_format,
        project_name=project_name,
        ontology_path=ontology_path,
        media_root=media_root,
        allow_outside_media=allow_outside_media,
        overwrite=overwrite,
        dataset_path=dataset_path,
        layout=layout,
    )


@main.group("store")
def store_group() -> None:
    """Label stores: SQLite files (a path, or sqlite:///path) or PostgreSQL (postgresql://...).

    `labelspace convert` reads and writes stores too: a store URL or a .db/.sqlite/.sqlite3 path
    as INPUT or OUTPUT.
    """


@main.command()
@click.argument("url", metavar="URL")
@click.option("--project", metavar="NAME", help="The project to label (needed when the store holds several).")
@click.option("--stage", metavar="STAGE", help="The stage rows are claimed from (default: the project's first).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every one).")
@click.option("--port", type=click.IntRange(0, 65535), default=8866, show_default=True, help="Port (0: a free one).")
@click.option("--token", metavar="TOKEN", help="The token visitors need in the URL (default: a random one).")
@click.option(
    "--media",
    "media_root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder the rows' relative media paths are relative to.",
)
@click.option("--height", type=click.IntRange(200, 4000), help="The Annotator's height in pixels.")
@click.option("--browser/--no-browser", default=False, show_default=True, help="Open the URL in a web browser too.")
def serve(
    url: str,
    project: str | None,
    stage: str | None,
    host: str,
    port: int,
    token: str | None,
    media_root: Path,
    height: int | None,
    browser: bool,
) -> None:
    """Serve the Annotator on a store to a team, in the browser, until Ctrl-C.

    Each person opens the printed URL (adding &user=THEIR-NAME, or typing it when asked; under
    JupyterHub the hub's name is used) and is handed rows of the stage one after another: Submit
    moves a row to the next stage and claims the next (in a later stage, Accept or Reject with a
    comment). Every edit is saved to the store as it is made. Runs Voila (pip install
    'labelspace[serve]'); listens on 127.0.0.1 behind a token unless told otherwise.
    """
    from labelspace import _serve

    path = _sqlite_file(url)
    if path is not None and not path.is_file():
        _fail(f"{path}: no such store file (make one with: labelspace store import FILE {url}).")
    try:
        status = _serve.run(
            url,
            project=project,
            stage=stage,
            host=host,
            port=port,
            token=token,
            root=media_root,
            height=height,
            browser=browser,
            echo=click.echo,
        )
    except LabelspaceError as e:
        _fail(e.message)
    except OSError as e:
        _fail(str(e))
    sys.exit(status)


@store_group.command("status")
@click.argument("url", metavar="URL")
def store_status(url: str) -> None:
    """Print what a store holds: its schema, projects with their rows per stage, people and edit log."""

    def run() -> str:
        with _open_existing(url) as store:
            return store.status()

    click.echo(_guarded(run))


@store_group.command("import")
@click.argument("input_path", metavar="FILE", type=click.Path())
@click.argument("url", metavar="URL")
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), help="Format of FILE (recognised when omitted).")
@click.option("--project", "project_name", metavar="NAME", help="The new project's name (default: FILE's name).")
@click.option("--ontology", "ontology_path", type=click.Path(path_type=Path), help="Ontology JSON the labels use.")
@click.option("--media", "media_root", type=click.Path(path_type=Path), help="Folder the media paths are relative to.")
@click.option("--allow-outside-media", is_flag=True, help="Keep media paths that lead outside the media folder.")
@click.option(
    "--dataset",
    "dataset_path",
    type=click.Path(path_type=Path),
    help="For a COCO results file: the COCO dataset the detections are on.",
)
def store_import(
    input_path: str,
    url: str,
    fmt: str | None,
    project_name: str | None,
    ontology_path: Path | None,
    media_root: Path | None,
    allow_outside_media: bool,
    dataset_path: Path | None,
) -> None:
    """Add the labels in FILE to the store at URL as a new project (`convert FILE URL`)."""
    _convert(
        input_path,
        url,
        source_store=False,
        target_store=True,
        from_format=fmt,
        to_format=None,
        project_name=project_name,
        ontology_path=ontology_path,
        media_root=media_root,
        allow_outside_media=allow_outside_media,
        dataset_path=dataset_path,
    )


@store_group.command("export")
@click.argument("url", metavar="URL")
@click.argument("output_path", metavar="FILE", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), required=True, help="Format of FILE.")
@click.option(
    "--project", "project_name", metavar="NAME", help="The project to export (needed when the store has several)."
)
@click.option("--media", "media_root", type=click.Path(path_type=Path), help="Folder the media paths are relative to.")
@click.option("--overwrite", is_flag=True, help="Replace a non-empty FILE folder whole (folder formats).")
@click.option(
    "--layout",
    type=click.Choice(list(ENCORD_LAYOUTS)),
    help="For Encord output: the label-row layout (the one that fits each row when omitted).",
)
def store_export(
    url: str,
    output_path: str,
    fmt: str,
    project_name: str | None,
    media_root: Path | None,
    overwrite: bool,
    layout: str | None,
) -> None:
    """Write a project of the store at URL to FILE in a format (`convert URL FILE --to FORMAT`)."""
    _convert(
        url,
        output_path,
        source_store=True,
        target_store=False,
        from_format=None,
        to_format=fmt,
        project_name=project_name,
        media_root=media_root,
        overwrite=overwrite,
        layout=layout,
    )


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
@click.argument("target", metavar="FILE", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), help="The file's format (recognised when omitted).")
@click.option("--media", "media_root", type=click.Path(path_type=Path), help="Folder the media paths are relative to.")
@click.option("--allow-outside-media", is_flag=True, help="Keep media paths that lead outside the media folder.")
@click.option("--project", "project_name", metavar="NAME", help="For a store: the project to count.")
def info(
    target: str, fmt: str | None, media_root: Path | None, allow_outside_media: bool, project_name: str | None
) -> None:
    """Print counts of spaces, objects, frames and classes in a labels file or folder, or a store's project."""
    from labelspace import formats

    path = Path(target)
    store = _is_store(target, fmt, reading=True)
    if project_name is not None and not store:
        raise click.UsageError("--project is for a store; FILE is not one.")

    def run() -> tuple[str, Project]:
        if store:
            project, name = _read_store(target, project_name)
            return f"store, project {name!r}", project
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
    click.echo(f"{target} ({name})")
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
