"""``newsdesk serve``: the HTTP API and the web UI in one server (uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer


def serve(
    host: Annotated[str | None, typer.Option(help="Interface (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 7860).")] = None,
) -> None:
    """Serve the web UI at / and the API under /api (docs at /docs) until Ctrl-C.

    Without NEWSDESK_API_KEY, writes (add/delete articles) are open, so the server only
    listens on a non-loopback host when NEWSDESK_ALLOW_PUBLIC_WRITES=true."""
    import uvicorn

    from index.config import IndexSettings
    from qa.config import QASettings
    from ui.config import UISettings
    from ui.errors import UnsafeBind
    from ui.server import check_bind, create_app

    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    settings = UISettings(**overrides)  # type: ignore[arg-type]
    try:
        check_bind(settings)
    except UnsafeBind as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    app = create_app(settings, IndexSettings(), QASettings())
    typer.echo(f"newsdesk on http://{settings.host}:{settings.port}/ (API docs at /docs)")
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
