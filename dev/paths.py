"""Where the development tooling finds the repository."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / ".run"
MONITORING = ROOT / "deploy" / "monitoring"
