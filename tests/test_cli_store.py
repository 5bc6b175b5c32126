"""The command line on a store: labels into a SQLite store with ``convert``, ``store status``, and out again.

The chain a new user runs: their COCO file into a store, what the store holds, the store out to
COCO and to labelspace's own format, every label as it was. PostgreSQL is covered by tests/store.
"""

import json

import pytest
from click.testing import CliRunner

from labelspace import formats
from labelspace.cli import main
from labelspace.samples.project import street_project
from labelspace.store import Store


def run(*args):
    """Run the CLI; return its status and everything it printed (standard output and error)."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.output


def one_error_line(output):
    """The single line a failure prints, checked to be one line with no traceback."""
    assert "Traceback" not in output, output
    assert output.count("\n") == 1 and output.startswith("labelspace: "), output
    return output.strip()


def canonical(project):
    """Every label of a project as plain values, independent of the order instances were added in."""

    def answers(instance):
        return sorted((a.feature_node_hash, repr(v)) for a, v in instance._answer_items())

    return project.ontology.to_dict(), [
        [
            (
                space.space_id,
                space.kind,
                space.media,
                space.width,
                space.height,
                sorted(
                    (a.frame, a.object_hash, repr(a.coordinates), a.confidence, answers(a.object_instance))
                    for a in space.get_annotations("object")
                ),
                sorted(
                    (a.frame, a.classification_hash, answers(a.classification_instance))
                    for a in space.get_annotations("classification")
                ),
            )
            for space in row.list_spaces()
        ]
        for row in project.rows
    ]


@pytest.fixture
def coco(tmp_path):
    """The street sample project as a COCO instances file (images, annotations, categories) beside its images."""
    path = tmp_path / "street.json"
    formats.save(street_project(tmp_path), path, "coco")
    d = json.loads(path.read_text())
    assert {"images", "annotations", "categories"} <= set(d)
    assert all({"id", "image_id", "category_id", "bbox"} <= set(a) for a in d["annotations"])
    return path


def test_a_coco_file_into_a_store_and_out_again(coco, tmp_path):
    store = tmp_path / "labels.db"
    code, output = run("convert", coco, store)
    assert code == 0, output
    assert output == f"wrote {store} (store, project 'street'): 4 rows, 5 spaces\n"

    code, output = run("store", "status", store)
    assert code == 0, output
    assert "project 'street': 4 rows" in output and "annotate 4" in output

    code, output = run("convert", store, tmp_path / "back.json", "--to", "coco")
    assert code == 0, output
    assert output == f"wrote {tmp_path / 'back.json'} (coco): 4 rows, 5 spaces\n"
    original, back = json.loads(coco.read_text()), json.loads((tmp_path / "back.json").read_text())
    assert original["annotations"] and back["annotations"] == original["annotations"]
    assert {k: v for k, v in back.items() if k != "info"} == {k: v for k, v in original.items() if k != "info"}

    code, output = run("convert", store, tmp_path / "native.json", "--to", "labelspace")
    assert code == 0, output
    assert canonical(formats.load(tmp_path / "native.json")) == canonical(formats.load(coco))
    code, output = run("info", tmp_path / "native.json")
    assert code == 0 and "(labelspace)" in output
    # info on the store counts the same labels as on the file written from it.
    code, from_store = run("info", store)
    assert code == 0 and from_store.startswith(f"{store} (store, project 'street')\n"), from_store
    assert from_store.split("\n", 1)[1] == output.split("\n", 1)[1]
    code, output = run("info", coco, "--project", "street")
    assert code == 2 and "--project is for a store" in output


def test_the_exported_coco_loads_in_pycocotools(coco, tmp_path):
    pycocotools_coco = pytest.importorskip("pycocotools.coco")
    assert run("convert", coco, tmp_path / "labels.db")[0] == 0
    assert run("store", "export", tmp_path / "labels.db", tmp_path / "back.json", "--format", "coco")[0] == 0
    original = pycocotools_coco.COCO(str(coco))
    back = pycocotools_coco.COCO(str(tmp_path / "back.json"))
    assert back.getAnnIds() == original.getAnnIds() and len(back.getAnnIds()) > 0
    assert back.loadAnns(back.getAnnIds()) == original.loadAnns(original.getAnnIds())


def test_store_import_and_export_with_projects_by_name(coco, tmp_path):
    url = f"sqlite:///{tmp_path}/team.sqlite"
    code, output = run("store", "import", coco, url)
    assert code == 0 and "project 'street'" in output, output
    code, output = run("store", "import", coco, url, "--project", "street again", "--format", "coco")
    assert code == 0 and "project 'street again'" in output, output
    code, output = run("store", "status", url)
    assert "project 'street': 4 rows" in output and "project 'street again': 4 rows" in output

    # With several projects, which one to read must be named.
    code, output = run("convert", url, tmp_path / "out.json", "--to", "coco")
    assert code == 1 and "has 2 projects; pass --project with one of ['street', 'street again']" in one_error_line(
        output
    )
    assert not (tmp_path / "out.json").exists()
    code, output = run("store", "export", url, tmp_path / "out.json", "--format", "labelspace", "--project", "nope")
    assert code == 1 and "no project 'nope'" in one_error_line(output)
    code, output = run("store", "export", url, tmp_path / "out.json", "--format", "labelspace", "--project", "street")
    assert code == 0, output
    assert canonical(formats.load(tmp_path / "out.json")) == canonical(formats.load(coco))

    # Store to store: the project keeps its name.
    code, output = run("convert", url, tmp_path / "copy.db", "--project", "street again")
    assert code == 0 and "(store, project 'street again'): 4 rows" in output, output
    with Store(tmp_path / "copy.db") as copy:
        assert [p["name"] for p in copy.projects()] == ["street again"]
        assert canonical(copy.load_project()) == canonical(formats.load(coco))


def test_a_project_name_the_store_has_is_refused_and_the_store_unchanged(coco, tmp_path):
    store = tmp_path / "labels.db"
    assert run("convert", coco, store)[0] == 0
    code, output = run("convert", coco, store)
    line = one_error_line(output)
    assert code == 1 and "already has a project 'street'; pass --project with another name" in line
    with Store(store) as s:
        assert [(p["name"], p["rows"]) for p in s.projects()] == [("street", 4)]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("foo://x", "Unknown store URL scheme 'foo'"),
        ("no-such-folder/labels.db", "the folder"),
        ("garbage.db", "is not a SQLite database"),
        ("sqlite://labels.db", "A SQLite store needs a file"),
    ],
)
def test_a_bad_store_is_one_line_and_status_1(coco, tmp_path, target, message):
    garbage = b"\x00not a database\xff" * 64
    (tmp_path / "garbage.db").write_bytes(garbage)
    target = target if "://" in target else str(tmp_path / target)
    code, output = run("convert", coco, target)
    assert code == 1 and message in one_error_line(output), output
    code, output = run("store", "status", target)
    assert code == 1, output
    one_error_line(output)
    code, output = run("store", "export", target, tmp_path / "out.json", "--format", "coco")
    assert code == 1, output
    one_error_line(output)
    assert (tmp_path / "garbage.db").read_bytes() == garbage
    assert not (tmp_path / "no-such-folder").exists() and not (tmp_path / "out.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["garbage.db", "images", "street.json"]


def test_reading_a_missing_store_does_not_make_one(tmp_path):
    for target in (tmp_path / "missing.db", f"sqlite:///{tmp_path}/missing.db"):
        code, output = run("store", "status", target)
        assert code == 1 and "missing.db: no such" in one_error_line(output)
        code, output = run("convert", target, tmp_path / "out.json", "--to", "coco")
        assert code == 1 and "missing.db: no such" in one_error_line(output)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_conversion_leaves_no_new_store(coco, tmp_path):
    code, output = run("convert", coco, tmp_path / "new.db", "--project", "")
    assert code == 1 and "project name must be a non-empty string" in one_error_line(output)
    (tmp_path / "bad.json").write_text('{"images": "no"}')
    code, output = run("convert", tmp_path / "bad.json", tmp_path / "new.db")
    assert code == 1 and "images: expected a list" in one_error_line(output)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("new.db")]


def test_options_that_do_not_fit_a_store_are_usage_errors(coco, tmp_path):
    assert run("convert", coco, tmp_path / "labels.db")[0] == 0
    for args, message in [
        ((coco, tmp_path / "out.json"), "Missing option '--to'"),
        ((coco, tmp_path / "out.json", "--to", "coco", "--project", "x"), "--project is for a store"),
        ((tmp_path / "labels.db", tmp_path / "out.json", "--to", "coco", "--ontology", coco), "--ontology does not"),
        ((coco, tmp_path / "x.db", "--layout", "group"), "--layout does not apply to a store OUTPUT"),
        ((coco, f"sqlite:///{tmp_path}/x.db", "--to", "coco"), "--to does not apply to a store OUTPUT"),
        ((f"sqlite:///{tmp_path}/labels.db", tmp_path / "out.json", "--from", "coco"), "--from does not apply"),
    ]:
        code, output = run("convert", *args)
        assert code == 2 and message in output, (args, output)
    assert not (tmp_path / "out.json").exists() and not (tmp_path / "x.db").exists()


def test_a_format_named_with_to_or_from_wins_over_the_file_name(coco, tmp_path):
    """``--to``/``--from`` name a file format: a .db file is then a labels file, as before stores."""
    code, output = run("convert", coco, tmp_path / "labels.db", "--to", "coco")
    assert code == 0 and f"wrote {tmp_path / 'labels.db'} (coco)" in output, output
    assert json.loads((tmp_path / "labels.db").read_text())["annotations"]
    code, output = run("convert", tmp_path / "labels.db", tmp_path / "again.json", "--from", "coco", "--to", "coco")
    assert code == 0, output
