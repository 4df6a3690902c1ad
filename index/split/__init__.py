"""Splitting an article's text: paragraphs, and sentences inside them."""
