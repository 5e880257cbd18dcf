"""MkDocs hooks (``hooks:`` in ``mkdocs.yml``): generate reference pages and run examples.

* ``on_config`` — make :mod:`docsgen` importable; generate the Python API pages and put them in
  the navigation under "Python API".
* ``on_files`` — add the generated pages (CLI, knowledge base, model, HTTP API, Python API,
  tutorials) as virtual files; nothing is written into ``docs/``. A generated path that also
  exists as a real file is an error, so a generated page is never silently shadowed.
* ``on_page_markdown`` — run ``console exec`` blocks and fill ``<!-- docsgen: NAME -->`` markers.

Any failure raises :class:`PluginError`, which stops ``mkdocs build`` with the reason.
"""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SCRIPTS = Path(__file__).resolve().parent.parent
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))

from mkdocs.exceptions import PluginError  # noqa: E402
from mkdocs.structure.files import File, Files  # noqa: E402

from docsgen import execution, http_reference, kb_reference, model_reference  # noqa: E402
from docsgen.cli_reference import render_cli_reference  # noqa: E402
from docsgen.python_reference import render_python_pages  # noqa: E402
from docsgen.validation import render_validation_results  # noqa: E402

log = logging.getLogger("mkdocs.hooks.docsgen")
REPO = SCRIPTS.parent
PYTHON_API_PAGE = "reference/python/index.md"
MODEL_PAGE = "reference/model.md"

_state: dict[str, Any] = {}


def _timed(what: str, make: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    try:
        result = make()
    except PluginError:
        raise
    except Exception as exc:  # every failure of a generator stops the build, with its reason
        raise PluginError(
            f"docsgen: generating {what} failed: {type(exc).__name__}: {exc}"
        ) from exc
    log.debug("docsgen: %s in %.1f s", what, time.perf_counter() - start)
    return result


def _insert_section(nav: list[Any], page: str, entries: list[tuple[str, str]]) -> bool:
    """Replace the nav item pointing at ``page`` by a section: ``page`` then ``entries``."""
    for index, item in enumerate(nav):
        if isinstance(item, dict):
            for title, value in item.items():
                if value == page:
                    item[title] = [page, *({t: p} for t, p in entries)]
                    return True
                if isinstance(value, list) and _insert_section(value, page, entries):
                    return True
        elif item == page:
            nav[index] = {page: [page, *({t: p} for t, p in entries)]}
            return True
    return False


def on_config(config: Any) -> Any:
    pages, entries = _timed("Python API reference", render_python_pages)
    _state["python_pages"] = pages
    diseases = [(k, f"reference/model/{k}.md") for k in model_reference.implemented_diseases()]
    if config.nav is not None:
        for page, section in ((PYTHON_API_PAGE, entries), (MODEL_PAGE, diseases)):
            if not _insert_section(config.nav, page, section):
                raise PluginError(f"docsgen: the nav must list {page!r}")
    execution.DATA_DIR = Path(tempfile.mkdtemp(prefix="immunobalance-docs-data-"))
    return config


def _drop_data_dir() -> None:
    if execution.DATA_DIR is not None:
        shutil.rmtree(execution.DATA_DIR, ignore_errors=True)
        execution.DATA_DIR = None


def on_post_build(config: Any) -> None:
    _drop_data_dir()


def on_build_error(error: Exception) -> None:
    _drop_data_dir()


def _openapi() -> dict[str, Any] | None:
    if not http_reference.APP.is_met():
        return None
    return http_reference.openapi_schema()


def _generated_pages() -> dict[str, str]:
    import json

    pages: dict[str, str] = dict(_state["python_pages"])
    pages["reference/cli.md"] = _timed("CLI reference", render_cli_reference)
    pages.update(_timed("knowledge-base reference", kb_reference.render_kb_pages))
    pages.update(_timed("model reference", model_reference.render_model_pages))
    schema = _timed("OpenAPI schema", _openapi)
    _state["openapi"] = schema
    pages["reference/http-api.md"] = http_reference.render_http_reference(schema)
    if schema is not None:
        pages["reference/openapi.json"] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    for script in sorted((REPO / "docs" / "tutorials").glob("*.py")):
        run = _timed(f"tutorial {script.name}", lambda s=script: execution.run_tutorial(s, REPO))
        if run.missing:
            log.info(
                "docsgen: tutorial %s not executed (needs %s)",
                script.name,
                ", ".join(r.dotted() for r in run.missing),
            )
        pages[f"tutorials/{script.stem}.md"] = _timed(
            f"tutorial page {script.stem}",
            lambda r=run, n=script.name: execution.render_tutorial(r, n),
        )
    return pages


def on_files(files: Files, config: Any) -> Files:
    for path, content in _generated_pages().items():
        if files.get_file_from_path(path) is not None:
            raise PluginError(
                f"docsgen: docs/{path} is generated at build time; delete the file in docs/ "
                "(or change its generator in scripts/docsgen/)"
            )
        files.append(File.generated(config, path, content=content))
    return files


MARKERS: dict[str, Callable[[], str]] = {
    "cds-services": lambda: http_reference.render_cds_services(_state.get("openapi")),
    "validation-results": lambda: render_validation_results(REPO / "docs" / "validation"),
}


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    where = f"docs/{page.file.src_uri}"
    for name, render in MARKERS.items():
        marker = f"<!-- docsgen: {name} -->"
        if marker in markdown:
            markdown = markdown.replace(marker, _timed(f"{name} in {where}", render))
    if "```console exec" in markdown:
        markdown = _timed(
            f"executed examples of {where}",
            lambda: execution.render_shell_blocks(markdown, REPO, where),
        )
    return markdown
