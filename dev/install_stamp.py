"""What dev/setup keeps in ``.venv/.safetywatch-installed``: one digest of everything the
install builds from (the package's metadata, the compiled rows' source and header, the
rules mypyc compiles). dev/setup installs again when it changes; the docs' test refuses
to run while it differs. Standard library only: dev/setup runs it before any install."""

from __future__ import annotations

import hashlib
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BUILT_FROM = (
    "pyproject.toml",
    "setup.py",
    "services/safetywatch/compiled.py",
    "services/safetywatch/native/rows.c",
    "services/safetywatch/native/layout.h",
)


def install_digest(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for name in BUILT_FROM:
        digest.update(name.encode() + b"\0" + (root / name).read_bytes())
    compiled = runpy.run_path(str(root / "services/safetywatch/compiled.py"))
    digest.update(compiled["sources_digest"]().encode())
    return digest.hexdigest()


if __name__ == "__main__":
    print(install_digest())
