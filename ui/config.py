"""Settings of the service layer (HTTP API and web UI), from NEWSDESK_* environment variables."""

from __future__ import annotations

import ipaddress

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class UISettings(BaseSettings):
    """Where the server listens and who may write. Read once at an entry point, passed down."""

    model_config = SettingsConfigDict(env_prefix="NEWSDESK_", extra="ignore")

    host: str = Field(default="127.0.0.1", description="Interface to listen on")
    port: int = Field(default=7860, ge=0, le=65535, description="TCP port (0 = any free port)")
    api_key: SecretStr | None = Field(
        default=None, description="Key required for writes (add, delete); unset = writes are open"
    )
    allow_public_writes: bool = Field(
        default=False, description="Allow key-less writes on a non-loopback host (not recommended)"
    )
    max_body_bytes: int = Field(
        default=6_000_000, ge=1_000, description="Largest request body accepted (413 beyond)"
    )

    poll_feeds: bool = Field(
        default=True, description="Poll the subscribed feeds (newsdesk feeds add) in the server"
    )
    feed_timeout: float = Field(
        default=15.0, ge=1.0, le=120.0, description="Seconds one fetch of a feed may take"
    )
    feed_workers: int = Field(default=4, ge=1, le=32, description="Feeds polled at the same time")

    def writes_unprotected_in_public(self) -> bool:
        """True when the server would accept key-less writes from other machines."""
        return self.api_key is None and not self.allow_public_writes and not is_loopback(self.host)


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
