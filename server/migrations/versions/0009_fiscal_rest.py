"""Fiscal remainder: IEPS cuota per litre on products (ieps_cuota, litres), the customer's IEPS breakdown setting,
each branch's LugarExpedicion (branches.codigo_postal) and the branch of a factura global (cfdis.branch_id).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 22:50:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable (or defaulted) columns only: a plain ADD COLUMN on both databases, no table rebuilt.
    op.add_column('products', sa.Column('ieps_cuota', sa.String(length=12), nullable=True))
    op.add_column('products', sa.Column('litres', sa.String(length=12), nullable=True))
    op.add_column('customers', sa.Column('ieps_breakdown', sa.Boolean(), nullable=False,
                                         server_default=sa.text('false')))
    op.add_column('branches', sa.Column('codigo_postal', sa.String(length=5), nullable=True))
    op.add_column('cfdis', sa.Column('branch_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cfdis') as batch:
        batch.drop_column('branch_id')
    with op.batch_alter_table('branches') as batch:
        batch.drop_column('codigo_postal')
    with op.batch_alter_table('customers') as batch:
        batch.drop_column('ieps_breakdown')
    with op.batch_alter_table('products') as batch:
        batch.drop_column('litres')
        batch.drop_column('ieps_cuota')
