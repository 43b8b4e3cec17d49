"""Benchmarks that print numbers; run each as a module from the repo root: .venv/bin/python -m benchmarks.<name>."""
