import numpy as np
import pytest

from labelspace import FormatError
from labelspace.formats import guess_format, load, save
from labelspace.formats.parquet import load_parquet, save_parquet
from tests.conftest import World
from tests.formats.test_coco import canonical, full_project

pytest.importorskip("pyarrow")


def test_round_trip_gives_back_every_label(world, tmp_path):
    project = full_project(world)
    save_parquet(project, tmp_path / "labels.parquet")
    assert guess_format(tmp_path / "labels.parquet") == "parquet"
    again = load_parquet(tmp_path / "labels.parquet")
    assert canonical(again) == canonical(project)
    assert canonical(load(tmp_path / "labels.parquet", ontology=world.ontology)) == canonical(project)


def test_duckdb_queries_the_table(world, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    save(full_project(world), tmp_path / "labels.parquet", "parquet")
    path = str(tmp_path / "labels.parquet")
    per_class = dict(
        duckdb.sql(
            f"select class, count(*) from '{path}' where kind = 'object' group by class order by class"
        ).fetchall()
    )
    assert per_class == {"boat": 2, "car": 11, "lane": 2, "person": 2, "pose": 2, "road": 4, "sky": 2}
    hidden = duckdb.sql(
        f"select frame from '{path}' where json_extract_string(answers, '$.occlusion') = 'hidden' order by frame"
    ).fetchall()
    assert [f for (f,) in hidden] == [0, 1, 2, 3, 4]
    [(x, w)] = duckdb.sql(f"select x, w from '{path}' where class = 'car' and space = 'photo'").fetchall()
    assert (x, w) == (0.125, 0.5)
    [(rain,)] = duckdb.sql(
        f"select count(*) from '{path}' where kind = 'classification' and answers like '%rain%'"
    ).fetchall()
    assert rain == 8


def test_not_a_labelspace_table(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"a": [1, 2]}), tmp_path / "other.parquet")
    with pytest.raises(FormatError, match=r"other\.parquet: not written by labelspace"):
        load_parquet(tmp_path / "other.parquet")
    (tmp_path / "junk.parquet").write_bytes(b"PAR1 junk")
    with pytest.raises(FormatError, match=r"junk\.parquet: not a Parquet file"):
        load_parquet(tmp_path / "junk.parquet")


def test_a_bad_row_is_named(world, tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    save_parquet(full_project(world), tmp_path / "labels.parquet")
    table = pq.read_table(tmp_path / "labels.parquet")
    x = table.column("x").to_pylist()
    first = next(i for i, v in enumerate(x) if v is not None)
    x[first] = 7.0
    broken = table.set_column(table.schema.get_field_index("x"), "x", pa.array(x, pa.float64()))
    pq.write_table(broken, tmp_path / "broken.parquet")
    with pytest.raises(FormatError, match=rf"broken\.parquet: row {first}: values row 0: .*outside 0\.\.1"):
        load_parquet(tmp_path / "broken.parquet")


def test_large_tables_are_written_in_batches(world, tmp_path):
    import tracemalloc

    row = world.row()
    video = row.add_video_space("long", 60_000, 640, 480)
    frames = np.arange(60_000)
    rows = np.column_stack(
        [np.linspace(0, 0.5, 60_000), np.full(60_000, 0.1), np.full(60_000, 0.2), np.full(60_000, 0.2)]
    )
    video.put_object_track(world.box.create_instance(), frames, rows)
    tracemalloc.start()
    save_parquet(row, tmp_path / "long.parquet", progress=False)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    import pyarrow.parquet as pq

    from labelspace.formats.parquet import BATCH

    metadata = pq.ParquetFile(tmp_path / "long.parquet").metadata
    assert metadata.num_rows == 60_000
    assert metadata.num_row_groups == -(-60_000 // BATCH)  # one row group per batch written
    # one batch of 10,000 rows peaks near 17 MB here; all 60,000 at once near 80 MB
    assert peak < 40_000_000


@pytest.mark.parametrize("fmt", ["parquet", "coco"])
def test_an_ontology_that_differs_from_the_files_is_refused(world, tmp_path, fmt):
    path = tmp_path / ("labels.parquet" if fmt == "parquet" else "labels.json")
    save(full_project(world), path, fmt)
    other = World().ontology
    other.add_object("bus", world.box.shape)
    expected = r"labels\.\w+: (metadata|labelspace)\.ontology: The ontology given does not match the file's: .*'bus'"
    with pytest.raises(FormatError, match=expected):
        load(path, fmt, ontology=other)
