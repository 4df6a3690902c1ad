"""The HTTP API: JSON routes, their request and response models, and the OpenAI-compatible
endpoint."""
