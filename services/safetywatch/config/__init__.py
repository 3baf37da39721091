"""Configuration: the area YAML and the ``SAFETYWATCH_*`` environment, loaded into typed
settings; every error names the key or variable and where it came from."""

from safetywatch.config.alertmanager import receiver_names, write_alertmanager_config
from safetywatch.config.area import AreaConfig, load_area
from safetywatch.config.errors import ConfigError
from safetywatch.config.settings import (
    ENV_PREFIX,
    ROLES,
    ClientSettings,
    GatewaySettings,
    KafkaConnectionSettings,
    NotificationSettings,
    Port,
    RoleSettings,
    ServiceSettings,
    Settings,
    env,
    load_role,
    load_settings,
    refuse_unknown_variables,
)

__all__ = [
    "ENV_PREFIX",
    "ROLES",
    "AreaConfig",
    "ClientSettings",
    "ConfigError",
    "GatewaySettings",
    "KafkaConnectionSettings",
    "NotificationSettings",
    "Port",
    "RoleSettings",
    "ServiceSettings",
    "Settings",
    "env",
    "load_area",
    "load_role",
    "load_settings",
    "receiver_names",
    "refuse_unknown_variables",
    "write_alertmanager_config",
]
