"""Benchmarks, run as scripts (see README.md here); never part of the test run."""
