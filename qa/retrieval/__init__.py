"""Finding passages: dense and keyword candidates fused into one ranking."""
