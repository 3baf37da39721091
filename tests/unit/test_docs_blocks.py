"""Every shell block of the docs is run by the docs test or says why not: a doc cannot
drift from the code unnoticed (issue 30)."""

from __future__ import annotations

from tests.docs import shell_blocks


def test_every_shell_block_is_run_or_says_why_not():
    blocks = shell_blocks()
    assert len(blocks) >= 15
    run = [block for block in blocks if block.not_run is None]
    assert len(run) >= 8, [block.where for block in run]
    for block in blocks:
        assert block.text.strip(), f"{block.where}: an empty block"
        if block.not_run is not None:
            assert len(block.not_run) > 10, f"{block.where}: say why it is not run"


def test_the_readme_starts_the_stack_first_so_later_blocks_have_one():
    first = next(block for block in shell_blocks() if block.not_run is None)
    assert first.text.strip() == "dev/up --demo"
