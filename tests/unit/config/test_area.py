"""The shipped areas: the default city and Guizhou province, whole trees of GB/T 2260
codes whose children sit under their parents' codes."""

from __future__ import annotations

from collections import Counter
from importlib import resources
from pathlib import Path

import pytest

from dev.stack import national_area
from safetywatch.config.area import AreaConfig, load_area
from safetywatch.regions.levels import Level, ancestor_at, level_of

CONFIG = Path(str(resources.files("safetywatch") / "config"))


@pytest.fixture(params=["liupanshui.yaml", "guizhou.yaml"])
def area(request: pytest.FixtureRequest) -> AreaConfig:
    return load_area(CONFIG / request.param)


def test_each_region_sits_under_its_parents_code(area: AreaConfig):
    by_code = area.regions_by_code
    for region in area.regions:
        if region.parent is None:
            continue
        parent = by_code[region.parent]
        assert level_of(parent.code).rank == level_of(region.code).rank + 1, region
        assert ancestor_at(region.code, level_of(parent.code)) == parent.code, region


def test_names_are_unique_within_a_parent(area: AreaConfig):
    siblings = Counter((r.parent, r.name) for r in area.regions)
    assert max(siblings.values()) == 1


def test_guizhou_has_its_nine_prefectures_and_eighty_eight_counties():
    guizhou = load_area(CONFIG / "guizhou.yaml")
    levels = Counter(level_of(r.code) for r in guizhou.regions)
    assert levels == {Level.PROVINCE: 1, Level.CITY: 9, Level.COUNTY: 88}
    assert guizhou.region("520204").name == "水城区"  # type: ignore[union-attr]
    assert guizhou.region("520581").name == "黔西市"  # type: ignore[union-attr]
    assert guizhou.metrics.region_level is Level.CITY
    assert len(guizhou.metric_regions) == 10
    assert guizhou.place_for("").zh == "全省"


def test_the_generated_national_area_counts_by_province():
    country = AreaConfig.model_validate(national_area())
    assert len([r for r in country.regions if level_of(r.code) is Level.COUNTY]) == 2790
    assert len(country.metric_regions) == 32  # 31 provinces and the country
    assert country.place_for("").zh == "全国"
