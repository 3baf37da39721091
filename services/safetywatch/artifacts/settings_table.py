"""The README's table of ``SAFETYWATCH_*`` variables, generated from the settings classes."""

from __future__ import annotations

from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from safetywatch.config import ENV_PREFIX, ROLES, NotificationSettings

BEGIN = "<!-- generated: settings table (safetywatch generate) -->"
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
    for role in ROLES:
        rows.append(f"| **{role.role}** | | |")
        for name, field in role.model_fields.items():
            variable = role.variables()[name]
            rows.append(f"| `{variable}` | {_default(field)} | {field.description or ''} |")
        if role is NotificationSettings:
            for prefix, text in NotificationSettings.PER_RECEIVER.items():
                rows.append(f"| `{ENV_PREFIX}{prefix}<RECEIVER>` | — | {text} |")
    rows += ["", END]
    return "\n".join(rows)


def with_settings_table(readme: str) -> str:
    """``readme`` with the generated table between its markers (which must be there)."""
    start, end = readme.index(BEGIN), readme.index(END) + len(END)
    return readme[:start] + settings_table() + readme[end:]
