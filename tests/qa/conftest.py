"""Fixtures of the question-answering tests: the bundled sample, indexed with the real model
and answered with the real reader (slow)."""

from __future__ import annotations

from typing import Any

import pytest

from index.components import build_index
from index.config import IndexSettings
from index.readers.inputs import read_inputs
from qa.components import build_qa
from qa.config import QASettings
from qa.service import QAService
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def sample_service(
    tmp_path_factory: pytest.TempPathFactory, real_embedder: Any, real_reader: Any
) -> QAService:
    """build_qa over a fresh index of the sample article, the real reader reading."""
    data_dir = tmp_path_factory.mktemp("qa") / "data"
    components = build_index(IndexSettings(data_dir=data_dir), embedder=real_embedder)
    report = components.service.add(read_inputs([str(SAMPLE)]))
    assert report.added and not report.failed
    return build_qa(components, QASettings(), real_reader)
