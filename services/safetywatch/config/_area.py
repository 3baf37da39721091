"""The area a deployment watches: its regions and time zone (the YAML file)."""

from __future__ import annotations

from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from safetywatch.alerting import Rule
from safetywatch.config._errors import ConfigError, describe_errors, dotted_key
from safetywatch.events import CATEGORY_NAMES, Category, Names
from safetywatch.regions import Area, repeated


class CategorySetting(BaseModel):
    """How a city names a category, or that it does not use it (hidden: no zero series,
    no empty row; a report of it is still counted and shown)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    name_en: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    hidden: bool = False


class AreaConfig(Area):
    """The area YAML: the regions and time zone, how many quarters the metrics expose,
    the categories' names, and the alert rules a city sets."""

    exposed_quarters: Annotated[int, Field(ge=1, le=40)] = 5
    categories: dict[Category, CategorySetting] = Field(default_factory=dict)
    rules: list[Rule] = Field(default_factory=list)

    @cached_property
    def category_names(self) -> dict[Category, Names]:
        """The national names, with the city's renamings."""
        names = dict(CATEGORY_NAMES)
        for category, setting in self.categories.items():
            national = names[category]
            zh, en = setting.name or national.zh, setting.name_en or national.en
            counted_zh = national.zh_counted.replace(national.zh, zh)
            counted_en = tuple(
                form.replace(national.en.lower(), en.lower()) for form in national.en_counted
            )
            names[category] = Names(zh, en, counted_zh, (counted_en[0], counted_en[1]))
        return names

    @cached_property
    def visible_categories(self) -> tuple[Category, ...]:
        """The categories the city uses, in the official order."""
        return tuple(
            c for c in Category if not (c in self.categories and self.categories[c].hidden)
        )

    @model_validator(mode="after")
    def _unique_rule_names(self) -> AreaConfig:
        if names := repeated([rule.name for rule in self.rules]):
            raise ValueError(f"rules: duplicate names {', '.join(names)}")
        return self


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
