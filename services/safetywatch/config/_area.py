"""The area a deployment watches: its regions and time zone (the YAML file)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import Field, ValidationError, model_validator

from safetywatch.alerting import Rule
from safetywatch.config._errors import ConfigError, describe_errors, dotted_key
from safetywatch.regions import Area, repeated


class AreaConfig(Area):
    """The area YAML: the regions and time zone, how many quarters the metrics expose,
    and the alert rules a city sets."""

    exposed_quarters: Annotated[int, Field(ge=1, le=40)] = 5
    rules: list[Rule] = Field(default_factory=list)

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
