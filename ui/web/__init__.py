"""The Gradio web UI."""
