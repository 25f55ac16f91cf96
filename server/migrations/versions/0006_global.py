"""Factura global and autofacturación: CFDIs of three kinds (factura, autofactura, global), which CFDI covers
which remisión (cfdi_sales, at most one live row per sale), the tills' ticket keys, and the global settings.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:10:00
"""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('terminals', sa.Column('ticket_key', sa.String(length=64), nullable=True))
    op.add_column('fiscal_settings', sa.Column('global_periodicidad', sa.String(length=2), nullable=False,
                                               server_default='04'))
    op.add_column('fiscal_settings', sa.Column('global_auto', sa.Boolean(), nullable=False,
                                               server_default=sa.text('false')))
    op.add_column('fiscal_settings', sa.Column('autofactura_url', sa.String(length=300), nullable=True))
    op.add_column('fiscal_settings', sa.Column('autofactura_egreso', sa.Boolean(), nullable=False,
                                               server_default=sa.text('false')))
    # Tills paired before this revision get their ticket key now (they fetch it with GET /api/terminal).
    conn = op.get_bind()
    for (terminal_id,) in conn.execute(sa.text("SELECT id FROM terminals")).all():
        conn.execute(sa.text("UPDATE terminals SET ticket_key = :k WHERE id = :i"),
                     {"k": secrets.token_urlsafe(24), "i": terminal_id})
    with op.batch_alter_table('cfdis') as batch:
        batch.add_column(sa.Column('kind', sa.String(length=12), nullable=False, server_default='factura'))
        batch.add_column(sa.Column('receptor', sa.Text(), nullable=True))
        batch.add_column(sa.Column('period_key', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('replaces_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('related_id', sa.Integer(), nullable=True))
        batch.alter_column('sale_id', existing_type=sa.Integer(), nullable=True)
        batch.create_check_constraint('kind', "kind IN ('factura', 'autofactura', 'global', 'egreso')")
    op.create_index('ix_sales_total', 'sales', ['total'], unique=False)
    op.create_table(
        'cfdi_sales',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cfdi_id', sa.Integer(), nullable=False),
        sa.Column('sale_id', sa.Integer(), nullable=False),
        sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['cfdi_id'], ['cfdis.id'], name=op.f('fk_cfdi_sales_cfdi_id_cfdis')),
        sa.ForeignKeyConstraint(['sale_id'], ['sales.id'], name=op.f('fk_cfdi_sales_sale_id_sales')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cfdi_sales')),
    )
    op.create_index('ix_cfdi_sales_cfdi_id', 'cfdi_sales', ['cfdi_id'], unique=False)
    op.create_index('ix_cfdi_sales_live', 'cfdi_sales', ['sale_id'], unique=True,
                    sqlite_where=sa.text('released_at IS NULL'), postgresql_where=sa.text('released_at IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_cfdi_sales_live', table_name='cfdi_sales')
    op.drop_index('ix_cfdi_sales_cfdi_id', table_name='cfdi_sales')
    op.drop_table('cfdi_sales')
    op.drop_index('ix_sales_total', table_name='sales')
    op.execute("DELETE FROM cfdis WHERE kind <> 'factura'")
    with op.batch_alter_table('cfdis') as batch:
        batch.drop_constraint('kind', type_='check')
        batch.alter_column('sale_id', existing_type=sa.Integer(), nullable=False)
        batch.drop_column('related_id')
        batch.drop_column('replaces_id')
        batch.drop_column('period_key')
        batch.drop_column('receptor')
        batch.drop_column('kind')
    with op.batch_alter_table('fiscal_settings') as batch:
        batch.drop_column('autofactura_egreso')
        batch.drop_column('autofactura_url')
        batch.drop_column('global_auto')
        batch.drop_column('global_periodicidad')
    with op.batch_alter_table('terminals') as batch:
        batch.drop_column('ticket_key')
