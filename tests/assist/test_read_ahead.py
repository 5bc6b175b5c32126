"""Frames read on a thread ahead of the tracker: the same items, the same errors, nothing left running."""

import threading
import time

import pytest

from labelspace.assist._read_ahead import DEPTH, ReadAhead


def counting(n, made, closed, fail_at=None, pause=0.0):
    try:
        for i in range(n):
            if i == fail_at:
                raise ValueError(f"frame {i} cannot be read")
            made.append(i)
            time.sleep(pause)
            yield i
    finally:
        closed.set()


def test_the_same_items_in_order_then_the_end():
    made, closed = [], threading.Event()
    reading = ReadAhead(counting(20, made, closed))
    assert list(reading) == list(range(20))
    assert closed.is_set()
    with pytest.raises(StopIteration):
        next(reading)
    assert not reading._thread.is_alive()


def test_an_error_comes_after_the_items_read_before_it():
    made, closed = [], threading.Event()
    reading = ReadAhead(counting(20, made, closed, fail_at=3))
    assert [next(reading) for _ in range(3)] == [0, 1, 2]
    with pytest.raises(ValueError, match="frame 3 cannot be read"):
        next(reading)
    assert closed.is_set() and not reading._thread.is_alive()


def test_it_reads_ahead_while_the_taker_works():
    made, closed = [], threading.Event()
    reading = ReadAhead(counting(50, made, closed))
    assert next(reading) == 0
    deadline = time.monotonic() + 10  # the taker busy with frame 0: the next ones are read meanwhile
    while len(made) < 1 + DEPTH + 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    assert len(made) == 1 + DEPTH + 1  # taken, queued, and one waiting for room: no further
    reading.close()


def test_closing_stops_the_thread_and_closes_the_source():
    made, closed = [], threading.Event()
    reading = ReadAhead(counting(1000, made, closed, pause=0.01))
    assert next(reading) == 0
    reading.close()
    assert closed.is_set() and not reading._thread.is_alive()
    assert len(made) < 1000
    with pytest.raises(StopIteration):
        next(reading)
    reading.close()  # twice is harmless


class ClosingBadly:
    """An iterator whose close fails, after failing to read or not."""

    def __init__(self, fail_reading):
        self.fail_reading = fail_reading
        self.i = 0

    def __iter__(self):
        return self

    def __next__(self):
        self.i += 1
        if self.i > 3:
            if self.fail_reading:
                raise ValueError("frame 4 cannot be read")
            raise StopIteration
        return self.i

    def close(self):
        raise OSError("the file cannot be closed")


@pytest.mark.parametrize(("fail_reading", "first"), [(True, ValueError), (False, OSError)])
def test_an_error_closing_the_source_is_raised_and_nothing_hangs(fail_reading, first):
    reading = ReadAhead(ClosingBadly(fail_reading))
    assert [next(reading) for _ in range(3)] == [1, 2, 3]
    with pytest.raises(first):  # the reading error first; the closing one when reading went well
        next(reading)
    assert not reading._thread.is_alive()
