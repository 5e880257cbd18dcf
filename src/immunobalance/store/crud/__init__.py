"""Create/read/update operations per resource. Every function takes the caller's
:class:`~sqlalchemy.orm.Session` and never commits: the caller's transaction
(:meth:`~immunobalance.store.session.Database.write`) decides, so one request is one transaction."""

from immunobalance.store.crud import actions, audit, derived, patients, tokens, trials

__all__ = ["actions", "audit", "derived", "patients", "tokens", "trials"]
