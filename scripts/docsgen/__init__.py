"""Generators of the documentation site's reference pages and executed tutorials.

Everything under ``reference/`` and every ``tutorials/<name>.md`` page is produced at build time
(``mkdocs build`` loads :mod:`hooks`) from the code itself — the Typer app, the knowledge base, the
FastAPI app, the model declarations, the package tree and the tutorial scripts — so the documents
cannot drift from the code. Each generator is a pure function returning Markdown; ``hooks`` only
wires them into MkDocs.
"""
