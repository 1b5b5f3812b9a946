"""Benchmarks and the load test (run as scripts: make bench, make load)."""
