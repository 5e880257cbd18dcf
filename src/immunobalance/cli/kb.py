"""``immunobalance kb …`` — list and show the knowledge base."""

import typer

app = typer.Typer(help="Browse the knowledge base.", no_args_is_help=True)
