"""Benchmarks of annexbot against same-run baselines; run from a checkout: python -m benchmarks."""
