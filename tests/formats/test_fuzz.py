"""Structure-aware fuzzing of every reader: only labelspace errors escape, and memory stays bounded.

Valid files of every format (written by labelspace, by the Encord SDK and pycocotools, and shaped
like CVAT's, Label Studio's and LabelMe's exports) get one value swapped for NaN, an infinity, a
huge or negative number, a wrong type, or lose a key (see ``fuzzing.py``). In CI the cases are
derived from a fixed seed and bounded; ``LABELSPACE_HYPOTHESIS=thorough`` runs twenty times as
many with fresh seeds.
"""

import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import THOROUGH, examples
from tests.formats.fuzzing import MEMORY_BOUND, all_samples, run_case

pytest.importorskip("pycocotools")
pytest.importorskip("pyarrow")


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    return {s.name: s for s in all_samples(tmp_path_factory.mktemp("samples"))}


NAMES = [
    *(
        f"{fmt}/{kind}"
        for fmt in ("labelspace", "coco", "cvat", "encord", "parquet", "labelstudio")
        for kind in ("images", "video")
    ),
    *(f"{fmt}/images" for fmt in ("voc", "yolo", "labelme")),
    *(f"{fmt}/video" for fmt in ("voc", "yolo", "labelme")),
    *(f"encord/sdk-{layout}" for layout in ("image", "img_group", "img_sequence", "video", "dicom", "nifti", "group")),
    "coco/person-layout",
    "coco/results",
    "cvat/video-shaped",
    "labelstudio/labelstudio_images.json",
    "labelstudio/labelstudio_video.json",
    "labelme/fixtures",
]


def test_every_sample_reads_before_it_is_mutated(samples):
    from labelspace import formats

    assert sorted(samples) == sorted(NAMES)
    for sample in samples.values():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", formats.DroppedLabelsWarning)
            assert formats.load(sample.path, sample.format, **sample.options).rows, sample.name


@pytest.mark.parametrize("name", NAMES)
def test_only_labelspace_errors_escape_and_memory_stays_bounded(samples, tmp_path, name):
    sample = samples[name]

    @settings(
        max_examples=examples(25),
        deadline=None,
        derandomize=not THOROUGH,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(seed=st.integers(0, 2**32 - 1))
    def case(seed):
        outcome = run_case(sample, seed, tmp_path)
        assert outcome.escaped is None, f"{outcome.what}: {outcome.escaped!r}"
        assert outcome.peak < MEMORY_BOUND, f"{outcome.what}: {outcome.peak / 2**20:.0f} MiB"

    case()
