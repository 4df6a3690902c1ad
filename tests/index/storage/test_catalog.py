"""Catalog transactions: one inside another is part of it, all or nothing."""

from __future__ import annotations

import pytest

from index.storage.catalog import Catalog
from tests.conftest import OpenCatalog


def titles(catalog: Catalog) -> list[str]:
    return [r[0] for r in catalog.connection().execute("SELECT name FROM t ORDER BY name")]


pytestmark = pytest.mark.both_databases


@pytest.fixture
def catalog(open_catalog: OpenCatalog) -> Catalog:
    catalog = open_catalog()
    catalog.connection().execute("CREATE TABLE t (name TEXT)")
    return catalog


def test_an_inner_transaction_commits_with_the_outer_one(catalog: Catalog) -> None:
    with catalog.transaction() as conn:
        conn.execute("INSERT INTO t VALUES ('outer')")
        with catalog.transaction() as inner:
            inner.execute("INSERT INTO t VALUES ('inner')")
        assert catalog.connection().in_transaction  # the inner block did not commit
    assert titles(catalog) == ["inner", "outer"]


def test_a_failure_inside_rolls_back_both_and_the_next_transaction_is_fresh(
    catalog: Catalog,
) -> None:
    with pytest.raises(RuntimeError), catalog.transaction() as conn:
        conn.execute("INSERT INTO t VALUES ('outer')")
        with catalog.transaction() as inner:
            inner.execute("INSERT INTO t VALUES ('inner')")
            raise RuntimeError("killed")
    assert titles(catalog) == []
    with catalog.transaction() as conn:
        conn.execute("INSERT INTO t VALUES ('later')")
    assert not catalog.connection().in_transaction and titles(catalog) == ["later"]
