"""Benchmarks: replay, ingest and report-to-metric, each beside its ceiling or peer."""
