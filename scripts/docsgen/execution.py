"""Execute tutorials and shell examples at build time and render them with their output.

Two kinds of executed content:

* **Tutorial scripts** ``docs/tutorials/<name>.py`` (percent format, :mod:`docsgen.cells`)
  become ``tutorials/<name>.md``: prose, code, and each code cell's captured output.
* **Shell blocks** in any page: a fence whose info string is ``console exec`` holds ``$ command``
  lines; each runs (``bash``) and its output is written under it. Options after ``exec``:
  ``guard=module[:name]`` (skip visibly while that is missing), ``max_lines=N`` (shorten long
  output), ``rc=N`` (expected exit status, default 0).

Both run in a scratch directory that mirrors a clone's layout (``examples/`` and ``docs/`` are
links into the repository) with a private ``IMMUNOBALANCE_DATA_DIR``, so the commands a page
shows are exactly those a reader copies into a shell at the root of a clone. Any failure fails
the build: the documentation never shows code that does not run.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from docsgen.cells import Script, parse_script
from docsgen.guards import Requirement, skipped_admonition, unmet

HERE = Path(__file__).resolve().parent
DEFAULT_MAX_LINES = 60

#: The build's shared ``IMMUNOBALANCE_DATA_DIR`` (set by the hooks for the build's duration).
DATA_DIR: Path | None = None


class ExecutionError(RuntimeError):
    """An executed example failed; the message says which, where and shows its output."""


@contextmanager
def sandbox(repo_root: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """A scratch working directory laid out like a clone, and the environment to run in.

    The data directory is :data:`DATA_DIR` when set (one per build, so the simulation cache a
    tutorial fills is reused by later pages, as on a reader's machine), else a private one.
    """
    repo_root = repo_root.resolve()
    with tempfile.TemporaryDirectory(prefix="immunobalance-docs-") as tmp:
        work = Path(tmp) / "work"
        work.mkdir()
        for name in ("examples", "docs"):
            if (repo_root / name).exists():
                (work / name).symlink_to(repo_root / name, target_is_directory=True)
        env = dict(os.environ)
        bin_dir = str(Path(sys.executable).parent)
        env.update(
            {
                "PATH": bin_dir + os.pathsep + env.get("PATH", ""),
                "IMMUNOBALANCE_DATA_DIR": str(DATA_DIR or Path(tmp) / "data"),
                "MPLBACKEND": "Agg",
                "PYTHONHASHSEED": "0",
                "NO_COLOR": "1",
                "TERM": "dumb",
                "COLUMNS": "100",
                "PYTHONIOENCODING": "utf-8",
            }
        )
        env.pop("IMMUNOBALANCE_DB_URL", None)
        yield work, env


def shorten(text: str, max_lines: int) -> str:
    """At most ``max_lines`` lines, saying how many were left out."""
    lines = text.rstrip("\n").splitlines()
    if len(lines) <= max_lines:
        return "\n".join(lines)
    keep = lines[:max_lines]
    return "\n".join([*keep, f"… ({len(lines) - max_lines} more lines)"])


# --------------------------------------------------------------------------------- tutorials
@dataclass
class TutorialRun:
    """Outputs of one tutorial: code-cell index → captured text (``None``: not executed)."""

    script: Script
    outputs: dict[int, str] | None
    missing: list[Requirement]


def run_tutorial(path: Path, repo_root: Path) -> TutorialRun:
    """Run ``path`` cell by cell (unless a guard is unmet) and collect each cell's output."""
    path = path.resolve()
    script = parse_script(path.read_text(encoding="utf-8"))
    missing = unmet([Requirement.parse(g) for g in script.guards])
    if missing:
        return TutorialRun(script, None, missing)
    with sandbox(repo_root) as (work, env):
        out = work.parent / "outputs.json"
        proc = subprocess.run(
            [sys.executable, str(HERE / "run_cells.py"), str(path), str(out)],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if not out.exists():
            raise ExecutionError(
                f"tutorial {path.name} could not be run:\n{proc.stdout}\n{proc.stderr}"
            )
        data = json.loads(out.read_text("utf-8"))
    outputs = {int(o["cell"]): str(o["output"]) for o in data["outputs"]}
    if data["status"]:
        last = max(outputs) if outputs else -1
        raise ExecutionError(
            f"tutorial {path.name} failed in the cell starting at line "
            f"{script.cells[last].line}:\n{outputs.get(last, '')}"
        )
    return TutorialRun(script, outputs, [])


def render_tutorial(run: TutorialRun, script_name: str) -> str:
    """The page of a tutorial: prose, code, and output under each code cell."""
    parts: list[str] = []
    intro_done = False
    for index, cell in enumerate(run.script.cells):
        if cell.kind == "markdown":
            parts.append(cell.source)
            if not intro_done and cell.source.lstrip().startswith("# "):
                parts.append(_run_note(script_name))
                if run.missing:
                    parts.append(skipped_admonition("tutorial", run.missing))
                intro_done = True
            continue
        parts.append(f"```python\n{cell.source}\n```")
        if run.outputs is not None:
            text = shorten(run.outputs.get(index, ""), DEFAULT_MAX_LINES)
            if text.strip():
                parts.append(f'```text title="Output"\n{text}\n```')
    if not intro_done:
        raise ExecutionError(f"tutorial {script_name} must start with a '# Title' Markdown cell")
    return "\n\n".join(parts) + "\n"


def _run_note(script_name: str) -> str:
    return (
        '!!! tip "Run it yourself"\n\n'
        "    This page is generated from the script "
        f"[`docs/tutorials/{script_name}`]({script_name}), executed when the documentation is "
        "built, so the output below is what the code prints. From the root of a clone, after "
        "`make venv`, run the whole script with\n\n"
        f"    ```bash\n    .venv/bin/python docs/tutorials/{script_name}\n    ```\n\n"
        "    or paste the code blocks, in order, into a Python session.\n"
    )


# ----------------------------------------------------------------------------- shell blocks
_FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```console[ \t]+exec(?P<opts>[^\n]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)


@dataclass(frozen=True)
class ShellBlock:
    """One ``console exec`` block: its commands and options."""

    commands: tuple[str, ...]
    guard: Requirement | None
    max_lines: int
    rc: int


def _parse_block(opts: str, body: str, where: str) -> ShellBlock:
    guard: Requirement | None = None
    max_lines, rc = DEFAULT_MAX_LINES, 0
    for token in shlex.split(opts):
        key, _, value = token.partition("=")
        if key == "guard":
            guard = Requirement.parse(value)
        elif key == "max_lines":
            max_lines = int(value)
        elif key == "rc":
            rc = int(value)
        else:
            raise ExecutionError(f"{where}: unknown console exec option {token!r}")
    commands = tuple(
        line.strip()[2:] for line in body.splitlines() if line.strip().startswith("$ ")
    )
    if not commands:
        raise ExecutionError(f"{where}: a console exec block needs '$ command' lines")
    return ShellBlock(commands, guard, max_lines, rc)


def render_shell_blocks(markdown: str, repo_root: Path, where: str) -> str:
    """Run every ``console exec`` block of a page (in one shared scratch directory)."""
    blocks = list(_FENCE.finditer(markdown))
    if not blocks:
        return markdown
    pieces: list[str] = []
    last = 0
    with sandbox(repo_root) as (work, env):
        for match in blocks:
            indent = match.group("indent")
            block = _parse_block(match.group("opts"), match.group("body"), where)
            pieces.append(markdown[last : match.start()])
            pieces.append(_run_block(block, work, env, indent, where))
            last = match.end()
    pieces.append(markdown[last:])
    return "".join(pieces)


def _run_block(block: ShellBlock, work: Path, env: dict[str, str], indent: str, where: str) -> str:
    shown: list[str] = []
    if block.guard is not None and not block.guard.is_met():
        text = "\n".join(f"$ {c}" for c in block.commands)
        note = skipped_admonition("example", [block.guard])
        fenced = f"```console\n{text}\n```\n\n{note}"
        return "\n".join(indent + line if line else line for line in fenced.splitlines())
    for command in block.commands:
        proc = subprocess.run(
            ["bash", "-c", command],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        output = (proc.stdout + proc.stderr).rstrip("\n")
        if proc.returncode != block.rc:
            raise ExecutionError(
                f"{where}: `{command}` exited {proc.returncode} (expected {block.rc}):\n{output}"
            )
        shown.append(f"$ {command}")
        if output:
            shown.append(shorten(output, block.max_lines))
    fenced = "```console\n" + "\n".join(shown) + "\n```"
    return "\n".join(indent + line if line else line for line in fenced.splitlines())
