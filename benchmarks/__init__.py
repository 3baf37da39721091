"""Benchmarks for issue 7: replay, ingest and report-to-metric, each beside its ceiling or peer."""
