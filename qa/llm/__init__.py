"""Optional LLM answers: the prompt (prompt), the citation check every sentence passes before it
is shown (check), the answerer over a LangChain chat model with the extractive fallback
(answerer), and the chat models it can use (models)."""
