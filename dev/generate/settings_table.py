"""docs/operations.md's table of ``SAFETYWATCH_*`` variables, generated from the settings
classes: the services' roles and the development tooling's."""

from __future__ import annotations

from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from dev.settings import LocalSettings
from safetywatch.config import ENV_PREFIX, ROLES, NotificationSettings, RoleSettings

BEGIN = "<!-- generated: settings table (python -m dev.generate) -->"
END = "<!-- end of generated settings table -->"


def _default(field: FieldInfo) -> str:
    value = field.default
    if value is PydanticUndefined or value is None:
        return "—"
    if hasattr(value, "get_secret_value"):
        return "—" if not value.get_secret_value() else "(secret)"
    if value == "":
        return "—"
    return f"`{value}`"


def settings_table() -> str:
    rows = [BEGIN, "", "| variable | default | what |", "|---|---|---|"]
    roles: tuple[type[RoleSettings], ...] = (*ROLES, LocalSettings)
    for role in roles:
        rows.append(f"| **{role.role}** | | |")
        for name, field in role.model_fields.items():
            variable = role.variables()[name]
            rows.append(f"| `{variable}` | {_default(field)} | {field.description or ''} |")
        if role is NotificationSettings:
            for prefix, text in NotificationSettings.PER_RECEIVER.items():
                rows.append(f"| `{ENV_PREFIX}{prefix}<RECEIVER>` | — | {text} |")
    rows += ["", END]
    return "\n".join(rows)


def with_settings_table(document: str) -> str:
    """``document`` with the generated table between its markers (which must be there)."""
    start, end = document.index(BEGIN), document.index(END) + len(END)
    return document[:start] + settings_table() + document[end:]
