"""The documentation site builds strictly from the repository, and says what the code does.

One strict build (``mkdocs build --strict``, as ``make docs``) per session; the tests read what
it produced. A broken link or anchor, a missing reference, a failing tutorial or example, or a
generator error makes the build fail, and the first test shows its log.
"""

from __future__ import annotations

import re

import pytest

from conftest import REPO, SiteBuild

pytestmark = pytest.mark.xdist_group("docs")


def test_strict_build_succeeds_without_warnings(site_build: SiteBuild) -> None:
    assert site_build.returncode == 0, site_build.log[-6000:]
    problems = [
        line for line in site_build.log.splitlines() if line.startswith(("WARNING", "ERROR"))
    ]
    assert problems == []


def test_every_cli_command_is_in_the_cli_reference(site_build: SiteBuild) -> None:
    from docsgen.cli_reference import click_command, command_paths

    html = (site_build.site / "reference" / "cli.html").read_text(encoding="utf-8")
    paths = list(command_paths(click_command()))
    assert "immunobalance kb show" in paths  # the walk reaches sub-commands
    missing = [p for p in paths if f"<code>{p}</code>" not in html]
    assert missing == []


def test_every_tutorial_has_a_page_with_output_or_a_visible_skip(site_build: SiteBuild) -> None:
    scripts = sorted((REPO / "docs" / "tutorials").glob("*.py"))
    assert scripts
    for script in scripts:
        html = (site_build.site / "tutorials" / f"{script.stem}.html").read_text("utf-8")
        executed = 'class="filename">Output</span>' in html
        skipped = "Not executed in this build" in html
        assert executed != skipped, script.name
        assert f"docs/tutorials/{script.name}" in html
        # the script itself is published next to its page, for download
        assert (site_build.site / "tutorials" / script.name).read_bytes() == script.read_bytes()


def test_knowledge_base_pages_list_every_agent_with_its_sources(site_build: SiteBuild) -> None:
    from immunobalance.knowledge.loader import load_knowledge_base

    html = (site_build.site / "reference" / "kb" / "agents.html").read_text(encoding="utf-8")
    for key, agent in load_knowledge_base().agents.items():
        assert f'id="{key}"' in html, key
        assert agent.actions[0].potency.source.split()[0] in html, key


def test_model_reference_has_a_page_per_implemented_disease(site_build: SiteBuild) -> None:
    import importlib

    from immunobalance.model.diseases import DISEASE_MODULES

    for key, target in DISEASE_MODULES.items():
        page = site_build.site / "reference" / "model" / f"{key}.html"
        name = f"immunobalance.model.diseases.{target.split(':')[0]}"
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            assert exc.name == name
            assert not page.exists()
            continue
        html = page.read_text(encoding="utf-8")
        assert "Rate equations" in html and "Parameters" in html and "PK/PD" in html


def test_site_is_offline(site_build: SiteBuild) -> None:
    """No web fonts or CDN assets; search works from the built files alone."""
    external = re.compile(r"""(?:src|href)=["']https?://(?:fonts\.|cdn\.|unpkg|cdnjs)""")
    offenders = [
        str(p.relative_to(site_build.site))
        for p in site_build.site.rglob("*.html")
        if external.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    assert (site_build.site / "search" / "search_index.json").exists()
