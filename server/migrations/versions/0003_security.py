"""Security: pairing codes carry a failure budget, back-office sessions live in a table (revocable, idle
timeout), users have a role (admin or the read-only contador), and sales can be flagged for review.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 20:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('pairing_codes', sa.Column('failures', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('users', sa.Column('role', sa.String(length=20), nullable=False, server_default='admin'))
    op.add_column('sales', sa.Column('review', sa.String(length=200), nullable=True))
    op.create_table(
        'user_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_user_sessions_user_id', 'user_sessions', ['user_id'])


def downgrade() -> None:
    op.drop_index('ix_user_sessions_user_id', table_name='user_sessions')
    op.drop_table('user_sessions')
    with op.batch_alter_table('sales') as batch:
        batch.drop_column('review')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('role')
    with op.batch_alter_table('pairing_codes') as batch:
        batch.drop_column('failures')
