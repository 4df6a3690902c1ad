"""IndexService.add over long inputs: read a window at a time (bounded memory), each article
reported once, origins pruned and boilerplate found across windows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from index.intake import WINDOW_BATCHES
from index.models import Article, ReadFailure
from tests.conftest import MakeIndex, assert_consistent
from tests.index.conftest import make_article
from tests.index.readers.test_boilerplate import texts, with_notice


class CountingInputs:
    """Articles handed out one by one, counting how many were taken."""

    def __init__(self, items: list[Article | ReadFailure]) -> None:
        self.items = items
        self.taken = 0

    def __iter__(self) -> Iterator[Article | ReadFailure]:
        for item in self.items:
            self.taken += 1
            yield item


class WatchedStore:
    """A vector store that notes how many inputs had been taken at each upsert."""

    def __init__(self, inner: Any, inputs: CountingInputs) -> None:
        self.inner = inner
        self.inputs = inputs
        self.taken_at_upsert: list[int] = []

    def upsert(self, *args: Any) -> None:
        self.taken_at_upsert.append(self.inputs.taken)
        self.inner.upsert(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_long_input_is_read_and_written_a_window_at_a_time(make_index: MakeIndex) -> None:
    index = make_index(articles_per_batch=2)
    window = 2 * WINDOW_BATCHES
    inputs = CountingInputs([make_article(n) for n in range(3 * window + 5)])
    store = WatchedStore(index.store, inputs)
    index.service.store = store  # type: ignore[assignment]
    calls: list[tuple[int, int]] = []
    report = index.service.add(inputs, progress=lambda done, total: calls.append((done, total)))
    assert store.taken_at_upsert[0] == window  # nothing past the first window read yet
    assert max(store.taken_at_upsert) <= inputs.taken
    assert report.added == [f"a{n}" for n in range(3 * window + 5)]
    assert len(assert_consistent(index)) == report.paragraphs == 3 * (3 * window + 5)
    totals = [total for _, total in calls]
    assert totals == sorted(totals) and totals[0] == 3 * window  # grows window by window
    assert calls[-1] == (report.paragraphs, report.paragraphs)


def test_an_id_given_again_in_a_later_window_is_reported_once_and_the_last_wins(
    make_index: MakeIndex,
) -> None:
    index = make_index(articles_per_batch=1)
    others = [make_article(n) for n in range(2, 2 + WINDOW_BATCHES)]
    report = index.service.add([make_article(1), *others, make_article(1, paragraphs=2)])
    assert report.added == ["a1", *(a.id for a in others)] and not report.updated
    assert index.service.article("a1")[0].paragraphs == 2
    again = index.service.add([make_article(1, paragraphs=2), *others, make_article(1)])
    assert again.updated == ["a1"] and "a1" not in again.unchanged
    assert index.service.article("a1")[0].paragraphs == 3
    assert len(assert_consistent(index)) == 3 + 3 * len(others)


def test_an_origin_spread_over_windows_is_pruned_as_a_whole(make_index: MakeIndex) -> None:
    index = make_index(articles_per_batch=1)
    given = [replace(make_article(n), origin="big.jsonl") for n in range(3 * WINDOW_BATCHES)]
    index.service.add(given)
    report = index.service.add([a for a in given if a.id != "a5"])
    assert report.removed == ["a5"] and len(report.unchanged) == len(given) - 1
    failed = index.service.add([*given[:3], ReadFailure("big.jsonl", "line 4: bad")])
    assert failed.removed == []  # a file read with a failure keeps what it gave before


def test_boilerplate_found_in_a_later_window_leaves_earlier_ones_too(
    make_index: MakeIndex,
) -> None:
    index = make_index(articles_per_batch=1)
    first = [with_notice(n) for n in range(3)]  # under the threshold of 4 in their window
    plain = [make_article(n) for n in range(3, WINDOW_BATCHES)]
    later = [with_notice(n) for n in range(WINDOW_BATCHES, WINDOW_BATCHES + 2)]
    index.service.add([*first, *plain, *later])
    assert not any("newsletter" in t for t in texts(index))
    assert len(assert_consistent(index)) == 3 * (WINDOW_BATCHES + 2)
