"""push builds the next batch in a thread while Label Studio imports the current one: the batches
arrive in order, an error arrives in its place, and stopping early stops the thread."""

import threading

import pytest

from annotate.errors import InputError
from annotate.labelstudio.push import _made_ahead


def test_the_items_arrive_in_order_and_each_is_made_ahead_of_its_use():
    made = []

    def items():
        for i in range(50):
            made.append(i)
            yield i

    seen = []
    for item in _made_ahead(items()):
        seen.append(item)
        if item == 10:
            threading.Event().wait(0.3)  # the consumer is busy (a request in flight)
            assert made[-1] >= 11  # the next one was made meanwhile
    assert seen == list(range(50))


def test_an_error_making_an_item_is_raised_after_the_items_before_it():
    def items():
        yield from range(3)
        raise InputError("predictions.jsonl", "changed while it was being pushed", line=4)

    seen = []
    with pytest.raises(InputError, match="changed while"):
        for item in _made_ahead(items()):
            seen.append(item)
    assert seen == [0, 1, 2]


def test_closing_early_stops_the_thread():
    before = threading.active_count()
    ahead = _made_ahead(iter(range(10**9)))
    assert next(ahead) == 0
    assert threading.active_count() == before + 1
    ahead.close()
    assert threading.active_count() == before
