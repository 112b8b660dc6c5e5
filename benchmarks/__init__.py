"""Benchmarks: synthetic UK-wide networks, and the timings the README quotes (`python -m benchmarks.search`)."""
