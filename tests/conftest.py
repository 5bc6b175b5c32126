import os

import pytest
from hypothesis import settings

from labelspace import (
    ChecklistAttribute,
    LabelRow,
    NumericAttribute,
    Ontology,
    RadioAttribute,
    Shape,
    TextAttribute,
)

REQUIRE_ALL = bool(os.environ.get("LABELSPACE_REQUIRE_ALL"))


@pytest.fixture(autouse=True, scope="session")
def _cache_folder(tmp_path_factory):
    """Video indexes go to a folder of the test session's, never the user's cache."""
    os.environ["LABELSPACE_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


"""Set in CI: a test skipped for lack of a browser or a package fails instead."""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"LABELSPACE_REQUIRE_ALL is set, so this may not be skipped: {report.longrepr}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"LABELSPACE_REQUIRE_ALL is set, so this may not be skipped: {report.longrepr}"


THOROUGH = os.environ.get("LABELSPACE_HYPOTHESIS") == "thorough"
settings.register_profile("thorough", max_examples=1000, deadline=None)
if THOROUGH:
    settings.load_profile("thorough")


def examples(n):
    """Examples for a property test: n, or 20 times n with LABELSPACE_HYPOTHESIS=thorough."""
    return n * 20 if THOROUGH else n


class World:
    """An ontology with one object of every shape and a few attributes and classifications."""

    def __init__(self):
        o = self.ontology = Ontology()
        self.box = o.add_object("car", Shape.BOUNDING_BOX, feature_node_hash="box00001")
        self.rotated = o.add_object("boat", Shape.ROTATABLE_BOUNDING_BOX, feature_node_hash="rot00001")
        self.polygon = o.add_object("road", Shape.POLYGON, feature_node_hash="poly0001")
        self.polyline = o.add_object("lane", Shape.POLYLINE, feature_node_hash="line0001")
        self.point = o.add_object("person", Shape.POINT, feature_node_hash="pnt00001")
        self.mask = o.add_object("sky", Shape.BITMASK, feature_node_hash="mask0001")
        self.skeleton = o.add_object("pose", Shape.SKELETON, feature_node_hash="skel0001")
        self.occlusion = self.box.add_attribute(RadioAttribute, "occlusion", dynamic=True, feature_node_hash="occl0001")
        self.visible = self.occlusion.add_option("visible", feature_node_hash="vis00001")
        self.hidden = self.occlusion.add_option("hidden", feature_node_hash="hid00001")
        self.tags = self.box.add_attribute(ChecklistAttribute, "tags", dynamic=True, feature_node_hash="tags0001")
        self.dented = self.tags.add_option("dented", feature_node_hash="dent0001")
        self.dirty = self.tags.add_option("dirty", feature_node_hash="dirt0001")
        self.note = self.box.add_attribute(TextAttribute, "note", dynamic=True, feature_node_hash="note0001")
        self.speed = self.box.add_attribute(NumericAttribute, "speed", dynamic=True, feature_node_hash="sped0001")
        self.colour = self.box.add_attribute(RadioAttribute, "colour", feature_node_hash="colr0001")
        self.red = self.colour.add_option("red", feature_node_hash="red00001")
        self.blue = self.colour.add_option("blue", feature_node_hash="blue0001")
        self.shade = self.red.add_nested_attribute(TextAttribute, "shade", feature_node_hash="shad0001")
        self.make = self.box.add_attribute(TextAttribute, "make", feature_node_hash="make0001")
        self.weather = o.add_classification(feature_node_hash="weat0001")
        self.weather_attr = self.weather.add_attribute(RadioAttribute, "weather", feature_node_hash="wtat0001")
        self.sunny = self.weather_attr.add_option("sunny", feature_node_hash="sunn0001")
        self.rain = self.weather_attr.add_option("rain", feature_node_hash="rain0001")
        self.scene = o.add_classification(feature_node_hash="scen0001", is_global=True)
        self.scene_attr = self.scene.add_attribute(TextAttribute, "scene", feature_node_hash="scat0001")

    def row(self):
        return LabelRow(self.ontology)

    def video(self, frames=100, width=640, height=480):
        row = self.row()
        return row, row.add_video_space("cam", frames, width, height, fps=25)


@pytest.fixture
def world():
    return World()
