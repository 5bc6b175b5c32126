"""The cycle collector paused around bulk writing, and always given back as it was."""

import gc

import pytest

from labelspace.model._collector import collector_paused


@pytest.fixture(autouse=True)
def collector_as_found():
    was_on = gc.isenabled()
    yield
    (gc.enable if was_on else gc.disable)()


def test_paused_inside_and_on_again_after():
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: the inner block leaves it off for the outer one
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_on_again_after_an_error():
    gc.enable()
    with pytest.raises(ValueError, match="boom"), collector_paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_left_off_when_it_was_off():
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_overlapping_pauses_on_two_threads_turn_it_on_when_the_last_ends():
    import threading

    gc.enable()
    entered, release = threading.Event(), threading.Event()

    def other():
        with collector_paused():
            entered.set()
            release.wait(10)

    thread = threading.Thread(target=other)
    with collector_paused():
        thread.start()
        assert entered.wait(10)
    assert not gc.isenabled()  # the other thread's pause goes on
    release.set()
    thread.join(10)
    assert gc.isenabled()
