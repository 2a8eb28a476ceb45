"""The compact maps push keeps of a project's tasks answer exactly as a dict and a set would."""

import random
from collections import Counter

from annotate.labelstudio import task_map
from annotate.labelstudio.task_map import TaskIds, TaskMap


def _project(n, seed=0):
    """(sentence id, task id) pairs as a project holds them: ids of several shapes, some sentence
    ids on two or three tasks, task ids not in order."""
    rng = random.Random(seed)
    pairs, task_id = [], 0
    for i in range(n):
        sentence_id = rng.choice([f"doc-{i % 97}:{i:08x}", f"r{i // 50}:é-{i}", str(i)])
        for _copy in range(rng.choice([1] * 18 + [2, 3])):
            task_id += rng.randint(1, 3)
            pairs.append((sentence_id, task_id))
    rng.shuffle(pairs)
    return pairs


def test_the_map_gives_each_sentence_its_oldest_task_like_a_dict():
    pairs = _project(20000)
    expected: dict[str, int] = {}
    for sentence_id, task_id in pairs:
        expected[sentence_id] = min(task_id, expected.get(sentence_id, task_id))
    mapped = TaskMap()
    for sentence_id, task_id in pairs:
        mapped.add(sentence_id, task_id)
    absent = [f"absent-{i}" for i in range(3000)]
    asked = [*expected, *absent]
    random.Random(1).shuffle(asked)
    assert list(mapped.lookup_all(iter(asked))) == [expected.get(s) for s in asked]
    assert len(mapped) == len(expected)
    repeated = {s for s, n in Counter(s for s, _ in pairs).items() if n > 1}
    assert mapped.repeated == len(repeated) > 0
    assert mapped.repeated_among(["absent-1", next(iter(repeated))]) == len(repeated) + 1
    assert next(iter(expected)) in mapped and "absent-2" not in mapped
    assert mapped.get("absent-3", -1) == -1


def test_ids_sharing_the_first_64_bits_of_their_digest_stay_apart(monkeypatch):
    """A 64-bit half shared by two ids (forced here) must not mix their tasks up."""
    real = task_map._digests
    monkeypatch.setattr(task_map, "_digests", lambda ids: b"".join(
        b"\0" * 8 + real([s])[8:] for s in ids))
    mapped = TaskMap()
    for i in range(50):
        mapped.add(f"s{i}", 1000 + i)
    assert mapped.lookup([f"s{i}" for i in range(50)] + ["s50"]) == [
        *range(1000, 1050), None]


def test_an_empty_map_and_set_find_nothing():
    assert TaskMap().lookup(["a", "b"]) == [None, None]
    assert len(TaskMap()) == 0 and TaskMap().repeated == 0
    assert 3 not in TaskIds() and len(TaskIds()) == 0


def test_the_task_id_set_holds_each_id_once_like_a_set():
    ids = [random.Random(2).randint(1, 5000) for _ in range(4000)]
    held = TaskIds()
    for task_id in ids:
        held.add(task_id)
    assert sorted(set(ids)) == list(held) and len(held) == len(set(ids))
    assert all((i in held) == (i in set(ids)) for i in range(0, 5100))
