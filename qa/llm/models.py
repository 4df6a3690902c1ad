"""The chat models an LLM answer can come from, as LangChain chat models: any OpenAI-compatible
endpoint (llama.cpp's server, vLLM, Ollama, LM Studio, a hosted API) through langchain-openai,
or a GGUF file run in-process with llama-cpp-python (an optional install: `make llm`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr, SecretStr

from qa.errors import QAError

# The role names the OpenAI chat format uses for LangChain's message types.
_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


class LLMNotInstalled(QAError):
    """A GGUF model was configured but llama-cpp-python is not installed."""


def openai_compatible(
    url: str,
    model: str,
    api_key: SecretStr | None,
    max_tokens: int,
    timeout_s: float,
) -> BaseChatModel:
    """A chat model over the OpenAI-compatible API at ``url`` (greedy decoding, no retries:
    a failure falls back to the extractive answer at once)."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=url,
        model=model,
        # A local server needs no key, but the client insists on one.
        api_key=api_key or SecretStr("not-needed"),
        temperature=0.0,
        max_completion_tokens=max_tokens,
        timeout=timeout_s,
        max_retries=0,
    )


def local_gguf(path: Path, threads: int, context: int, max_tokens: int) -> BaseChatModel:
    """A chat model running the GGUF file at ``path`` in this process (loaded now)."""
    try:
        from llama_cpp import Llama
    except ImportError:
        raise LLMNotInstalled(
            "NEWSDESK_LLM_GGUF needs llama-cpp-python: run `make llm` (or use NEWSDESK_LLM_URL)"
        ) from None
    llama = Llama(model_path=str(path), n_ctx=context, n_threads=threads, verbose=False)
    return LlamaCppChat(llama=llama, max_tokens=max_tokens)


class LlamaCppChat(BaseChatModel):
    """A LangChain chat model over an in-process llama_cpp.Llama, using the model's own chat
    template; one call at a time (the model is not thread-safe)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    llama: Any
    max_tokens: int = 256
    temperature: float = 0.0
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-in-process"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(chunk.text for chunk in self._stream(messages, stop, run_manager))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        chat = [{"role": _ROLES.get(m.type, "user"), "content": m.text} for m in messages]
        with self._lock:
            for part in self.llama.create_chat_completion(
                messages=chat,
                max_tokens=self.max_tokens,
                temperature=self.temperature,
                stop=stop,
                stream=True,
            ):
                delta = part["choices"][0]["delta"].get("content")
                if not delta:
                    continue
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                if run_manager is not None:
                    run_manager.on_llm_new_token(delta, chunk=chunk)
                yield chunk
