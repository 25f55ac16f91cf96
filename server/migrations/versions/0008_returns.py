"""Returns of synced sales (returns, return_lines, folio series D), back-office cancellations
(sale_cancellations), and egresos in cfdis (return_id; one ingreso per sale becomes a partial unique index).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 21:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'returns',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('sale_id', sa.Integer(), nullable=False),
        sa.Column('terminal_id', sa.Integer(), nullable=False),
        sa.Column('warehouse_id', sa.Integer(), nullable=False),
        sa.Column('series', sa.String(length=10), nullable=False),
        sa.Column('folio', sa.BigInteger(), nullable=False),
        sa.Column('device_time', sa.String(length=40), nullable=False),
        sa.Column('received_at', TS, nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('refund_method', sa.String(length=30), nullable=False),
        sa.Column('cashier', sa.String(length=100), nullable=True),
        sa.Column('authorizer', sa.String(length=100), nullable=True),
        sa.Column('subtotal', sa.BigInteger(), nullable=False),
        sa.Column('discount', sa.BigInteger(), nullable=False),
        sa.Column('tax_total', sa.BigInteger(), nullable=False),
        sa.Column('total', sa.BigInteger(), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('undone_at', TS, nullable=True),
        sa.Column('undone_by', sa.Integer(), nullable=True),
        sa.Column('undo_reason', sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(['sale_id'], ['sales.id'], name=op.f('fk_returns_sale_id_sales')),
        sa.ForeignKeyConstraint(['undone_by'], ['users.id'], name=op.f('fk_returns_undone_by_users')),
        sa.ForeignKeyConstraint(['terminal_id'], ['terminals.id'], name=op.f('fk_returns_terminal_id_terminals')),
        sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'],
                                name=op.f('fk_returns_warehouse_id_warehouses')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_returns')),
        sa.UniqueConstraint('uuid', name=op.f('uq_returns_uuid')),
        sa.UniqueConstraint('series', 'folio', name='uq_returns_series_folio'),
    )
    op.create_index('ix_returns_sale_id', 'returns', ['sale_id'], unique=False)
    op.create_table(
        'return_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('return_id', sa.Integer(), nullable=False),
        sa.Column('line_no', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('qty', sa.BigInteger(), nullable=False),
        sa.Column('subtotal', sa.BigInteger(), nullable=False),
        sa.Column('discount', sa.BigInteger(), nullable=False),
        sa.Column('total', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['return_id'], ['returns.id'], name=op.f('fk_return_lines_return_id_returns')),
        sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_return_lines_product_id_products')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_return_lines')),
    )
    op.create_index('ix_return_lines_return_id', 'return_lines', ['return_id'], unique=False)
    op.create_table(
        'sale_cancellations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sale_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('sat_motive', sa.String(length=2), nullable=True),
        sa.Column('cancelled_at', TS, nullable=False),
        sa.ForeignKeyConstraint(['sale_id'], ['sales.id'], name=op.f('fk_sale_cancellations_sale_id_sales')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sale_cancellations_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sale_cancellations')),
        sa.UniqueConstraint('sale_id', name=op.f('uq_sale_cancellations_sale_id')),
    )
    with op.batch_alter_table('cfdis') as batch:
        batch.add_column(sa.Column('return_id', sa.Integer(), nullable=True))
        batch.drop_constraint('uq_cfdis_sale_id', type_='unique')
        batch.create_unique_constraint(op.f('uq_cfdis_return_id'), ['return_id'])
        batch.create_foreign_key(op.f('fk_cfdis_return_id_returns'), 'returns', ['return_id'], ['id'])
    op.create_index('uq_cfdis_ingreso_sale_id', 'cfdis', ['sale_id'], unique=True,
                    sqlite_where=sa.text('return_id IS NULL'), postgresql_where=sa.text('return_id IS NULL'))
    op.execute("INSERT INTO folio_series (series, last_folio) VALUES ('D', 0)")


def downgrade() -> None:
    op.execute("DELETE FROM folio_series WHERE series = 'D'")
    op.drop_index('uq_cfdis_ingreso_sale_id', table_name='cfdis')
    op.execute("DELETE FROM cfdis WHERE return_id IS NOT NULL")
    with op.batch_alter_table('cfdis') as batch:
        batch.drop_constraint(op.f('fk_cfdis_return_id_returns'), type_='foreignkey')
        batch.drop_constraint(op.f('uq_cfdis_return_id'), type_='unique')
        batch.drop_column('return_id')
        batch.create_unique_constraint('uq_cfdis_sale_id', ['sale_id'])
    op.drop_table('sale_cancellations')
    op.drop_index('ix_return_lines_return_id', table_name='return_lines')
    op.drop_table('return_lines')
    op.drop_index('ix_returns_sale_id', table_name='returns')
    op.drop_table('returns')
