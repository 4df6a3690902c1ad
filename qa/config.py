"""Settings of the question-answering layer (NEWSDESK_* environment variables)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from qa.models import AnswerMode


class QASettings(BaseSettings):
    """How questions are retrieved and answered. Read once at an entry point, passed down."""

    model_config = SettingsConfigDict(env_prefix="NEWSDESK_", extra="ignore")

    top_k: int = Field(10, ge=1, le=100, description="Passages retrieved per question")
    candidates: int = Field(50, ge=1, le=1000, description="Candidates per retriever before fusion")
    recency_days: int = Field(
        7, ge=0, description="With as_of: prefer articles published this many days before"
    )  # a week, as in "this week" (10 days: 0.005-0.01 less recall and MRR, bench/RESULTS.md)
    max_answer_sentences: int = Field(4, ge=1, le=10)
    reader: bool = Field(
        True, description="Answer with the learned reader (False: the sentence scorer alone)"
    )
    reader_weights: Path | None = Field(
        None, description="A folder of reader weights; unset = the ones shipped in qa/reader"
    )
    reader_int8: bool = Field(
        True, description="Run the reader with int8 linear layers (faster, same answers)"
    )
    reader_candidates: int = Field(
        24, ge=1, le=64, description="Candidate sentences the reader reads per question"
    )
    # 0.25: on realtimeqa-dev 1% of answerable and 98.5% of off-topic questions refused; a
    # higher threshold mostly refuses answerable questions (0.35: 5.5%, and the guide's
    # "Where is the fiercest fighting?" on the sample), bench/RESULTS.md
    min_confidence: float = Field(
        0.25, ge=0.0, le=1.0, description="Below this reader confidence the answer is not found"
    )
    answer_mode: AnswerMode = Field(
        "extractive",
        description="How questions are answered unless a request says: extractive (quotes) or"
        " llm (needs llm_url or llm_gguf)",
    )
    # The optional LLM (qa.llm): an OpenAI-compatible endpoint, or a GGUF file run in-process.
    llm_url: str | None = Field(
        None, description="Base URL of an OpenAI-compatible API, e.g. http://127.0.0.1:8080/v1"
    )
    llm_model: str = Field("default", description="The model name sent to llm_url")
    llm_api_key: SecretStr | None = Field(None, description="Sent to llm_url; never shown")
    llm_gguf: Path | None = Field(
        None, description="A GGUF model file run in this process by llama.cpp (xllamacpp)"
    )
    # 1: on 2 shared cores, llama.cpp on 2 threads collapses under load (a 40-token answer
    # in 9.6 s against 0.5 s on 1 thread, 2026-12-07)
    llm_threads: int = Field(1, ge=1, le=256, description="CPU threads of the local model")
    llm_context: int = Field(4096, ge=512, le=131072, description="In-process context, tokens")
    llm_max_tokens: int = Field(256, ge=16, le=4096, description="Longest answer, tokens")
    llm_timeout_s: float = Field(
        60.0, gt=0, le=600, description="Longer than this, the answer is extractive"
    )
    llm_passages: int = Field(8, ge=1, le=20, description="Passages given to the LLM")
    # guided: answer hit 0.520 -> 0.580 (SmolLM2-135M), 0.460 -> 0.500 (Qwen2.5-Coder-1.5B)
    # on 50 dev questions, bench/RESULTS.md
    llm_guided: bool = Field(
        True, description="Give the LLM the reader's short answer, and its passage, as a hint"
    )
