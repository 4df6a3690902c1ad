"""Storage: the SQLite catalog and keyword index, the Chroma vector store, sentence vectors,
paragraph fingerprints and the writer's lock."""
