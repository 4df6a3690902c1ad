"""How fast the command line starts: wall time of ``newsdesk --help`` and ``newsdesk index list``
(on an empty data dir and on one holding the indexed sample) against a bare ``python -c pass``,
all measured in the same run.

    .venv/bin/python bench/cli_start.py --runs 15

Each command runs as the ``newsdesk`` console script does (``from ui.cli.main import main``),
from this checkout, in a fresh interpreter, ``--runs`` times; the commands take turns run by
run, so machine drift hits them alike. Printed per command: the median milliseconds, the median
minus the bare interpreter's (what newsdesk itself costs) and the ratio to the bare interpreter.
The indexed data dir is built once, untimed (it loads the model: about ten seconds).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENTRY = "import sys; from ui.cli.main import main; sys.argv[0] = 'newsdesk'; sys.exit(main())"


def newsdesk(*args: str) -> list[str]:
    """The command line of ``newsdesk ARGS`` run from this checkout."""
    return [sys.executable, "-c", ENTRY, *args]


def wall(command: list[str], env: dict[str, str]) -> float:
    """Seconds ``command`` takes to run to its end (its output discarded); it must succeed."""
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def timings(commands: dict[str, tuple[list[str], dict[str, str]]], runs: int) -> dict:
    """Seconds of each run of each command, the commands taking turns (one untimed run each
    first, so every file is in the page cache)."""
    for command, env in commands.values():
        wall(command, env)
    took: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (command, env) in commands.items():
            took[name].append(wall(command, env))
    return took


def main(argv: list[str] | None = None) -> None:
    """Print the median start-up time of each command against the bare interpreter's."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command")
    parser.add_argument("--no-sample", action="store_true", help="skip the indexed data dir")
    args = parser.parse_args(argv)
    base_env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    with tempfile.TemporaryDirectory() as tmp:
        empty = {**base_env, "NEWSDESK_DATA_DIR": str(Path(tmp) / "empty")}
        commands = {
            "python -c pass": ([sys.executable, "-c", "pass"], base_env),
            "newsdesk --help": (newsdesk("--help"), empty),
            "newsdesk index list (empty)": (newsdesk("index", "list"), empty),
        }
        if not args.no_sample:
            sample = {**base_env, "NEWSDESK_DATA_DIR": str(Path(tmp) / "sample")}
            wall(newsdesk("index", "add", "--quiet", str(ROOT / "samples")), sample)
            commands["newsdesk index list (sample)"] = (newsdesk("index", "list"), sample)
        took = timings(commands, args.runs)
    bare = statistics.median(took["python -c pass"])
    print(f"median of {args.runs} runs each; {os.cpu_count()} CPUs")
    print(f"{'command':<30} {'ms':>8} {'- bare ms':>10} {'x bare':>7}")
    for name, seconds in took.items():
        median = statistics.median(seconds)
        extra = 1000 * (median - bare)
        print(f"{name:<30} {1000 * median:>8.1f} {extra:>10.1f} {median / bare:>7.1f}")


if __name__ == "__main__":
    main()
