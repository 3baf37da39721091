"""Reading a Prometheus text exposition into samples keyed by name and labels."""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client.parser import text_string_to_metric_families

SampleKey = tuple[str, frozenset[tuple[str, str]]]


def metric_samples(text: str, prefix: str = "safetywatch_") -> dict[SampleKey, float]:
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name.startswith(prefix):
                samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def sample(samples: Mapping[SampleKey, float], metric: str, /, **labels: str) -> float | None:
    return samples.get((metric, frozenset(labels.items())))
