"""The area a deployment watches: its regions and time zone (the YAML file)."""

from __future__ import annotations

from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from safetywatch.accounting import Place
from safetywatch.alerting._rules import Rule
from safetywatch.config._errors import ConfigError, describe_errors, dotted_key

RegionCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]


class Region(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: RegionCode
    name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    name_en: str = ""
    parent: RegionCode | None = None

    @property
    def prefix(self) -> str:
        """The code prefix that covers the region: 520200 → 5202, 520000 → 52."""
        code = self.code
        while code.endswith("00") and len(code) > 2:
            code = code[:-2]
        return code


class AreaConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    time_zone: str = "Asia/Shanghai"
    exposed_quarters: Annotated[int, Field(ge=1, le=40)] = 5
    regions: Annotated[list[Region], Field(min_length=1)]
    rules: list[Rule] = []

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {name!r} (an IANA name like Asia/Shanghai)"
            ) from None
        return name

    @model_validator(mode="after")
    def _one_tree(self) -> AreaConfig:
        codes = [region.code for region in self.regions]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise ValueError(f"regions: duplicate codes {', '.join(duplicates)}")
        for region in self.regions:
            if region.parent is not None and region.parent not in codes:
                raise ValueError(f"regions: {region.code}'s parent {region.parent} is not listed")
        names = [rule.name for rule in self.rules]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"rules: duplicate names {', '.join(repeated)}")
        roots = [region.code for region in self.regions if region.parent is None]
        if len(roots) != 1:
            raise ValueError(
                f"regions: exactly one region must have no parent (the area itself), found {roots}"
            )
        return self

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @cached_property
    def root(self) -> Region:
        return next(region for region in self.regions if region.parent is None)

    @cached_property
    def region_codes(self) -> frozenset[str]:
        return frozenset(region.code for region in self.regions)

    def region(self, code: str) -> Region | None:
        return next((region for region in self.regions if region.code == code), None)

    def place_for(self, prefix: str) -> Place:
        """How a bulletin names the area a region prefix selects."""
        root = self.root
        if prefix in ("", root.prefix):
            return Place(zh="全市", en="the city")
        for region in self.regions:
            if prefix in (region.code, region.prefix):
                return Place(zh=region.name, en=region.name_en or region.name)
        return Place(zh=f"{prefix}地区", en=f"region {prefix}")


DEFAULT_AREA_FILE = "liupanshui.yaml"


def load_area(path: Path | None = None) -> AreaConfig:
    """Read and validate the area YAML; the packaged Liupanshui default without a path."""
    if path is None:
        source = f"(built-in {DEFAULT_AREA_FILE})"
        text = resources.files("safetywatch.config").joinpath(DEFAULT_AREA_FILE).read_text("utf-8")
    else:
        source = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigError(
                f"SAFETYWATCH_CONFIG_FILE: cannot read {path}: {error.strerror}"
            ) from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"{source}: not valid YAML: {error}") from None
    if not isinstance(document, dict):
        raise ConfigError(f"{source}: expected a mapping with time_zone, exposed_quarters, regions")
    try:
        return AreaConfig.model_validate(document)
    except ValidationError as error:
        raise describe_errors(error, source, dotted_key) from None
