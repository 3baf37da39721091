"""Configuration: ``SAFETYWATCH_*`` environment settings and the area YAML file."""

from safetywatch.config._area import AreaConfig, load_area
from safetywatch.config._errors import ConfigError
from safetywatch.config._settings import ENV_PREFIX, Settings, load_settings

__all__ = [
    "ENV_PREFIX",
    "AreaConfig",
    "ConfigError",
    "Settings",
    "load_area",
    "load_settings",
]
