"""Benchmarks of newsdesk (see bench/RESULTS.md)."""
