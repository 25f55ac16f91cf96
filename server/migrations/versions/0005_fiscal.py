"""Fiscal: SAT product keys on products, the shop's CSD and PAC (fiscal_settings), one CFDI per factura sale
(cfdis, with the PAC job's state).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 20:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('products', sa.Column('sat_clave_prod_serv', sa.String(length=8), nullable=True))
    op.add_column('products', sa.Column('sat_clave_unidad', sa.String(length=3), nullable=True))
    op.create_table(
        'fiscal_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('csd_number', sa.String(length=20), nullable=True),
        sa.Column('csd_not_before', sa.DateTime(timezone=True), nullable=True),
        sa.Column('csd_not_after', sa.DateTime(timezone=True), nullable=True),
        sa.Column('csd_cer', sa.LargeBinary(), nullable=True),
        sa.Column('csd_key', sa.LargeBinary(), nullable=True),
        sa.Column('pac', sa.String(length=20), nullable=False),
        sa.Column('pac_user', sa.String(length=200), nullable=True),
        sa.Column('pac_secret', sa.LargeBinary(), nullable=True),
        sa.Column('pac_production', sa.Boolean(), nullable=False),
        sa.Column('pac_url', sa.String(length=300), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_fiscal_settings')),
    )
    op.create_table(
        'cfdis',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sale_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=True),
        sa.Column('xml', sa.Text(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('error_code', sa.String(length=40), nullable=True),
        sa.Column('error_message', sa.String(length=1000), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('stamped_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('cancel_motive', sa.String(length=2), nullable=True),
        sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('pendiente', 'sellada', 'timbrada', 'rechazada', 'cancelada')",
                           name=op.f('ck_cfdis_state')),
        sa.ForeignKeyConstraint(['sale_id'], ['sales.id'], name=op.f('fk_cfdis_sale_id_sales')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cfdis')),
        sa.UniqueConstraint('sale_id', name=op.f('uq_cfdis_sale_id')),
        sa.UniqueConstraint('uuid', name=op.f('uq_cfdis_uuid')),
    )
    op.create_index('ix_cfdis_state_next', 'cfdis', ['state', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_cfdis_state_next', table_name='cfdis')
    op.drop_table('cfdis')
    op.drop_table('fiscal_settings')
    with op.batch_alter_table('products') as batch:
        batch.drop_column('sat_clave_unidad')
        batch.drop_column('sat_clave_prod_serv')
