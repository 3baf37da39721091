"""The area file's denominators and control targets: read into the statistics' tables,
and refused naming the key when wrong."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from safetywatch.accounting import Denominator, DenominatorKey, TargetFigure, TargetKey
from safetywatch.config.area import AreaConfig, load_area
from safetywatch.config.errors import ConfigError

REGIONS = [
    {"code": "520200", "name": "六盘水市"},
    {"code": "520201", "name": "钟山区", "parent": "520200"},
]


def load(tmp_path: Path, **sections: object) -> tuple[AreaConfig, Path]:
    path = tmp_path / "area.yaml"
    path.write_text(yaml.safe_dump({"regions": REGIONS, **sections}), encoding="utf-8")
    return load_area(path), path


def test_denominators_and_targets_are_read_exactly(tmp_path):
    area, _ = load(
        tmp_path,
        denominators={
            2026: {"520200": {"gdp_100m_yuan": 1500.3, "quarters": {1: {"gdp_100m_yuan": 330.1}}}}
        },
        targets={2026: {"520201": {"deaths": 20}}},
    )
    denominators = area.indicators.denominators
    assert denominators[DenominatorKey("520200", 2026)] == {
        Denominator.GDP_100M_YUAN: Fraction("1500.3")
    }
    assert denominators[DenominatorKey("520200", 2026, 1)] == {
        Denominator.GDP_100M_YUAN: Fraction("330.1")
    }
    assert area.indicators.targets == {TargetKey("520201", 2026): {TargetFigure.DEATHS: 20}}


def test_the_default_area_ships_example_figures_for_this_year_and_last():
    area = load_area()
    years = {key.year for key in area.indicators.denominators}
    assert {2025, 2026} <= years
    assert TargetKey("520200", 2026) in area.indicators.targets


@pytest.mark.parametrize(
    ("sections", "key"),
    [
        (
            {"denominators": {2026: {"520200": {"gdp_100m_yuan": -1}}}},
            "denominators[2026].520200.gdp_100m_yuan",
        ),
        ({"denominators": {2026: {"520200": {"gdp": 1}}}}, "denominators[2026].520200.gdp"),
        (
            {"denominators": {2026: {"520200": {"quarters": {5: {"workers_10k": 1}}}}}},
            "denominators[2026].520200.quarters[5].[key]",
        ),
        (
            {"denominators": {2026: {"530100": {"workers_10k": 1}}}},
            "denominators[2026].530100: not a region",
        ),
        ({"targets": {2026: {"520201": {"deaths": 2.5}}}}, "targets[2026].520201.deaths"),
        ({"targets": {2026: {"520201": {"injuries": 2}}}}, "targets[2026].520201.injuries"),
        ({"targets": {1800: {"520201": {"deaths": 2}}}}, "targets[1800].[key]"),
    ],
)
def test_wrong_figures_are_refused_naming_the_key(tmp_path, sections, key):
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, **sections)
    assert key in str(caught.value)
