"""``immunobalance token create|list|revoke`` — API tokens for ``immunobalance serve``.

The secret is printed once (the last word of the output) and only its SHA-256 is stored.
"""

from __future__ import annotations

import typer

from immunobalance.cli._output import FormatOption, OutputFormat, console, print_json
from immunobalance.store import open_database
from immunobalance.store.crud import audit
from immunobalance.store.crud import tokens as crud

__all__ = ["register"]

token_app = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)


@token_app.command("create")
def create(
    role: str = typer.Option(..., "--role", help="read | clinician | admin"),
    name: str = typer.Option("cli", "--name", help="who or what uses the token"),
) -> None:
    """Create a token and print it (shown once; only its hash is stored)."""
    with open_database().write() as session:
        row, secret = crud.create_token(session, role, name)
        audit.record_event(session, None, "token.create", target=str(row.id))
        token_id = row.id
    typer.echo(f"Created {role} token {token_id} ({name}); it is shown only now:")
    typer.echo(secret)


@token_app.command("list")
def list_(fmt: OutputFormat = FormatOption) -> None:
    """List live tokens (ids, names, roles; never secrets)."""
    with open_database().read() as session:
        rows = [
            {"id": t.id, "name": t.name, "role": t.role, "created_at": t.created_at}
            for t in crud.list_tokens(session)
        ]
    if fmt is OutputFormat.json:
        print_json(rows)
        return
    for r in rows:
        console.print(
            f"{r['id']:>4}  {r['role']:<9}  {r['name']}  (created {r['created_at']:%Y-%m-%d})"
        )


@token_app.command("revoke")
def revoke(token_id: int = typer.Argument(..., help="the token's id (see `token list`)")) -> None:
    """Revoke a token at once."""
    with open_database().write() as session:
        crud.revoke_token(session, token_id)
        audit.record_event(session, None, "token.revoke", target=str(token_id))
    typer.echo(f"Revoked token {token_id}.")


def register(app: typer.Typer) -> None:
    app.add_typer(token_app, name="token")
