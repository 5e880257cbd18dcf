"""The documentation generators' own mechanisms: cells, guards, executed shell blocks."""

from __future__ import annotations

import pytest
from docsgen.cells import parse_script
from docsgen.execution import ExecutionError, render_shell_blocks
from docsgen.guards import Requirement

from conftest import REPO


def test_script_is_split_into_prose_and_code_and_guards_are_collected() -> None:
    script = parse_script(
        "# docs-guard: json:dumps\n"
        "# %% [markdown]\n# # Title\n#\n# Some *prose*.\n\n"
        "# %%\nx = 1\n\n# %%\nprint(x)\n"
    )
    assert script.guards == ["json:dumps"]
    assert [c.kind for c in script.cells] == ["markdown", "code", "code"]
    assert script.cells[0].source == "# Title\n\nSome *prose*."
    assert script.cells[2].source == "print(x)" and script.cells[2].line == 11
    assert script.title == "Title"


def test_markdown_cell_with_an_uncommented_line_is_refused() -> None:
    with pytest.raises(ValueError, match="line 3"):
        parse_script("# %% [markdown]\n# ok\nnot a comment\n")


def test_requirements_are_met_only_when_module_and_attribute_exist() -> None:
    assert Requirement.parse("json:dumps").is_met()
    assert not Requirement.parse("json:no_such_name").is_met()
    assert not Requirement.parse("immunobalance.no_such_module:x").is_met()
    with pytest.raises(ValueError):
        Requirement.parse("not a module")


def test_shell_block_runs_and_shows_output() -> None:
    page = "Text\n\n```console exec\n$ echo hello && echo world\n```\n"
    out = render_shell_blocks(page, REPO, "test.md")
    assert out == "Text\n\n```console\n$ echo hello && echo world\nhello\nworld\n```\n"


def test_shell_block_with_unexpected_exit_status_fails() -> None:
    page = "```console exec\n$ echo broken >&2; exit 3\n```\n"
    with pytest.raises(ExecutionError, match="exited 3 \\(expected 0\\):\nbroken"):
        render_shell_blocks(page, REPO, "test.md")
    assert "$ exit 3" in render_shell_blocks("```console exec rc=3\n$ exit 3\n```\n", REPO, "t")


def test_guarded_shell_block_is_shown_but_not_run_while_its_module_is_missing() -> None:
    page = "```console exec guard=immunobalance.no_such_module\n$ exit 1\n```\n"
    out = render_shell_blocks(page, REPO, "test.md")
    assert "```console\n$ exit 1\n```" in out
    assert "Not executed in this build" in out and "immunobalance.no_such_module" in out
