"""The command line starts light: ``--help`` and ``index list`` import neither the model
(torch, sentence-transformers) nor the vector store (chromadb) nor the web UI (gradio).

Checked on the modules loaded, in a fresh interpreter, not on a clock (bench/cli_start.py
measures the time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT, build_test_index
from tests.index.conftest import make_article

HEAVY = ["torch", "sentence_transformers", "transformers", "chromadb", "gradio", "trafilatura"]

# Runs ``newsdesk ARGS`` as the console script does, then prints which HEAVY modules it loaded.
PROBE = """
import json, sys
from ui.cli.main import main
sys.argv = ["newsdesk", *sys.argv[1:]]
try:
    main()
except SystemExit as exit:
    assert not exit.code, exit.code
heavy = {heavy}
print(json.dumps(sorted(name for name in heavy if name in sys.modules)))
"""


def loaded_by(args: list[str], data_dir: Path) -> tuple[list[str], str]:
    """The HEAVY modules ``newsdesk ARGS`` imported, and what it printed before."""
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    *printed, last = done.stdout.splitlines()
    return json.loads(last), "\n".join(printed)


def test_help_imports_no_model_store_or_web_ui(tmp_path: Path) -> None:
    loaded, printed = loaded_by(["--help"], tmp_path / "data")
    assert loaded == []
    assert "index" in printed and "ask" in printed


def test_index_list_imports_no_model_or_vector_store(tmp_path: Path) -> None:
    assert loaded_by(["index", "list"], tmp_path / "empty") == ([], "")
    filled = tmp_path / "filled"
    build_test_index(filled, articles=[make_article(1), make_article(2)])
    loaded, printed = loaded_by(["index", "list"], filled)
    assert loaded == []
    assert [line.split("\t")[0] for line in printed.splitlines()] == ["a1", "a2"]
