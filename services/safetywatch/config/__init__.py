"""Configuration: the area YAML and the ``SAFETYWATCH_*`` environment, loaded into typed
settings; every error names the key or variable and where it came from."""

from safetywatch.config._area import DEFAULT_AREA_FILE, AreaConfig, MetricSettings, load_area
from safetywatch.config._errors import ConfigError
from safetywatch.config._settings import (
    ENV_PREFIX,
    ROLES,
    AggregatorSettings,
    ClientSettings,
    GatewaySettings,
    GrafanaSettings,
    KafkaSettings,
    LocalSettings,
    NotificationSettings,
    RoleSettings,
    ServiceSettings,
    Settings,
    load_role,
    load_settings,
)

__all__ = [
    "DEFAULT_AREA_FILE",
    "ENV_PREFIX",
    "ROLES",
    "AggregatorSettings",
    "AreaConfig",
    "ClientSettings",
    "ConfigError",
    "GatewaySettings",
    "GrafanaSettings",
    "KafkaSettings",
    "LocalSettings",
    "MetricSettings",
    "NotificationSettings",
    "RoleSettings",
    "ServiceSettings",
    "Settings",
    "load_area",
    "load_role",
    "load_settings",
]
