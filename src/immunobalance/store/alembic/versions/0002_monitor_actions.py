"""Treat-to-target actions proposed at visits (``monitor_actions``).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 06:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "monitor_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.String(length=256), nullable=False),
        sa.Column("patient_revision", sa.Integer(), nullable=False),
        sa.Column("software_version", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('continue', 'optimise_dose', 'add', 'switch_class', 'taper', 'review')",
            name=op.f("ck_monitor_actions_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_monitor_actions_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visits.id"],
            name=op.f("fk_monitor_actions_visit_id_visits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitor_actions")),
    )
    op.create_index(
        op.f("ix_monitor_actions_patient_id"), "monitor_actions", ["patient_id"], unique=False
    )
    op.create_index(
        op.f("ix_monitor_actions_visit_id"), "monitor_actions", ["visit_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_monitor_actions_visit_id"), table_name="monitor_actions")
    op.drop_index(op.f("ix_monitor_actions_patient_id"), table_name="monitor_actions")
    op.drop_table("monitor_actions")
