"""Terminals remember their last sales sync: when, and how many sales were accepted and rejected (the
back office's Terminales page shows each terminal's last sync result).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 23:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('terminals', sa.Column('last_sync_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('terminals', sa.Column('last_sync_accepted', sa.Integer(), nullable=True))
    op.add_column('terminals', sa.Column('last_sync_rejected', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('terminals') as batch:
        batch.drop_column('last_sync_rejected')
        batch.drop_column('last_sync_accepted')
        batch.drop_column('last_sync_at')
