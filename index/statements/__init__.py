"""Who said what: statements found in paragraphs, the speakers' names, the words that mark
them, and the statements' store."""
