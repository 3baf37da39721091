"""Issue 30: every shell block of the README and docs/ runs as written, against the stack
the README's first block starts (`dev/up --demo`), in a copy of the repository so that a
developer's own `.run/` is never touched. curl is made to fail on an HTTP error
(``fail-with-body`` in a curlrc only this run reads), so a 415 or 404 fails the block."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from dev.install_stamp import install_digest
from dev.stack import port_in_use
from tests.docs import ShellBlock, shell_blocks
from tests.paths import ROOT

pytestmark = pytest.mark.integration

#: What `dev/up` listens on (its defaults): the docs' commands name these ports.
STACK_PORTS = (9092, 8080, 9108, 9090, 9093, 2525)
BLOCKS = [block for block in shell_blocks() if block.not_run is None]


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The repository's tracked files, with the virtualenv and the Kafka jars linked."""
    taken = [port for port in STACK_PORTS if port_in_use(port)]
    if taken:
        pytest.fail(
            f"ports {taken} are taken: the docs' commands use dev/up's own ports; "
            "stop the local stack (dev/down) and run again",
            pytrace=False,
        )
    _installed_from_this_tree()
    target = tmp_path_factory.mktemp("docs") / "repository"
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to(ROOT / ".venv")
    (target / "dev/kafka/.cache").symlink_to(ROOT / "dev/kafka/.cache")
    yield target
    subprocess.run(["dev/down", "--purge"], cwd=target, env=_environment(target), check=False)


def _installed_from_this_tree() -> None:
    """dev/setup, run by the docs' dev/up in the copy, reinstalls when its stamp differs;
    the linked virtualenv would then point at the copy. Refuse rather than let it."""
    wanted = install_digest()
    stamp = ROOT / ".venv" / ".safetywatch-installed"
    if not stamp.is_file() or stamp.read_text().strip() != wanted:
        pytest.fail("the virtualenv is not installed from this tree: run dev/setup", pytrace=False)


def _environment(copy: Path) -> dict[str, str]:
    """A reader's shell: none of this run's settings, a curl that fails on HTTP errors."""
    curl_home = copy / ".curl"
    curl_home.mkdir(exist_ok=True)
    (curl_home / ".curlrc").write_text("fail-with-body\nsilent\nshow-error\n")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SAFETYWATCH_")}
    return {**environment, "CURL_HOME": str(curl_home)}


@pytest.mark.parametrize("block", BLOCKS, ids=[block.where for block in BLOCKS])
def test_the_documented_commands_run_as_written(copy: Path, block: ShellBlock):
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block.text],
        cwd=copy,
        env=_environment(copy),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, (
        f"{block.where} exited {result.returncode}:\n{block.text}\n"
        f"--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-3000:]}"
    )
