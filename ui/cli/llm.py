"""``newsdesk llm serve``: llama.cpp's OpenAI-compatible server with a local GGUF model, for
``NEWSDESK_LLM_URL`` (the model that ships in qa/llm/requirements.txt unless one is given)."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

llm_app = typer.Typer(help="A local LLM for the LLM answer mode.", no_args_is_help=True)


@llm_app.command("serve")
def serve_llm(
    model: Annotated[
        Path | None,
        typer.Option(help="A GGUF file (default: SmolLM2-135M-Instruct, installed by make)."),
    ] = None,
    host: Annotated[str, typer.Option(help="Interface.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8080,
    threads: Annotated[int, typer.Option(min=1, help="CPU threads.")] = 1,
    context: Annotated[int, typer.Option(min=512, help="Context, in tokens.")] = 4096,
) -> None:
    """Serve the model at http://HOST:PORT/v1 (OpenAI chat completions) until Ctrl-C; then
    ask with NEWSDESK_LLM_URL=http://HOST:PORT/v1 and `newsdesk ask --llm`."""
    from qa.errors import QAError
    from qa.llm.models import llama_server, packaged_model

    try:
        path = model or packaged_model()
        server = llama_server(path, threads, context, host, port)
    except QAError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{path.name} on {server.listening_address}/v1", err=False)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    del server  # stops llama.cpp's threads before the interpreter exits
