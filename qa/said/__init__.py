"""Speaker questions ("What did X say?", "Who said Y?") answered from the stored statements."""
