"""What every test shares: structlog's configuration back to its defaults after each
test, so that a command run in-process (which configures logging for a process) leaves
no configuration behind for the tests after it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import structlog


@pytest.fixture(autouse=True)
def _structlog_defaults() -> Iterator[None]:
    yield
    structlog.reset_defaults()
