"""Terminals remember whether the till's page last reported a secure context (HTTPS or localhost): the back
office's Terminales page shows "sin HTTPS" for a till opened over plain http on the shop's network, which
cannot open offline.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 20:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('terminals', sa.Column('secure_context', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('terminals') as batch:
        batch.drop_column('secure_context')
