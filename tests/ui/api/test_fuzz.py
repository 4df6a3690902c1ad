"""Fuzz the API from its own OpenAPI schema (schemathesis): no 5xx, and every response
conforms to the schema (status, content type, body). The index is real (tmp_path), the QA
service is real, the embedding model is the fake one, so examples stay fast."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from index.components import build_index
from index.readers.inputs import read_inputs
from qa.components import build_qa
from qa.config import QASettings
from tests.ui.conftest import SAMPLE, FakeEmbedder, index_settings
from ui.config import UISettings
from ui.server import create_api
from ui.services import ServiceRef, Services

# The app is made at import (schemathesis reads its schema then); the module fixture below
# fills its services with an index in a temporary folder.
REF = ServiceRef()
KEY = "fuzz-key"
APP = create_api(REF, UISettings(api_key=KEY))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


pytestmark = pytest.mark.slow  # the real reader answers the fuzzed questions


@pytest.fixture(scope="module", autouse=True)
def fuzz_services(tmp_path_factory: pytest.TempPathFactory, real_reader: Any) -> Iterator[Services]:
    """Real index and QA service (fake embedder, real reader) holding the sample article."""
    data_dir = tmp_path_factory.mktemp("fuzz") / "data"
    components = build_index(index_settings(data_dir), embedder=FakeEmbedder())
    qa = build_qa(components, QASettings(), real_reader)  # type: ignore[call-arg]
    REF.services = Services(components, qa, UISettings(api_key=KEY))
    REF.services.add_articles(read_inputs([str(SAMPLE)]))
    yield REF.services
    REF.services = None


@schema.parametrize()
@settings(max_examples=50, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    excluded = []
    # Schema-valid yet refusable with a 422 (the schema cannot say it): uploaded bytes that
    # are no article; a URL that fits the pattern but resolves nowhere or to a private
    # address; a feed interval written right but under the 1-minute minimum or over 7 days.
    refusable = {"/api/articles", "/api/articles/fetch", "/api/feeds"}
    if case.operation.method.upper() == "POST" and case.operation.path in refusable:
        excluded.append(positive_data_acceptance)
    auth = {"X-API-Key": KEY, "Authorization": f"Bearer {KEY}"}
    case.call_and_validate(headers=auth, excluded_checks=excluded)
