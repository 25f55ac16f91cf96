"""Shifts: cashiers on users (PIN verifier, shop, deactivation time), shifts, cash movements, cortes with their
lines by method, supervisor authorizations; sales and voids may name their cashier and shift.

Down revision: this follows 0006 (another branch); on a base whose head is 0005 it says '0005' until merged.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 21:31:57
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('authorizations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('terminal_id', sa.Integer(), nullable=False),
    sa.Column('cashier_id', sa.Integer(), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=False),
    sa.Column('shift_uuid', sa.String(length=36), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=True),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('review', sa.String(length=200), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cashier_id'], ['users.id'], name=op.f('fk_authorizations_cashier_id_users')),
    sa.ForeignKeyConstraint(['supervisor_id'], ['users.id'], name=op.f('fk_authorizations_supervisor_id_users')),
    sa.ForeignKeyConstraint(['terminal_id'], ['terminals.id'], name=op.f('fk_authorizations_terminal_id_terminals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_authorizations')),
    sa.UniqueConstraint('uuid', name=op.f('uq_authorizations_uuid'))
    )
    with op.batch_alter_table('authorizations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_authorizations_shift_uuid'), ['shift_uuid'], unique=False)

    op.create_table('cash_movements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('terminal_id', sa.Integer(), nullable=False),
    sa.Column('cashier_id', sa.Integer(), nullable=False),
    sa.Column('shift_uuid', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('review', sa.String(length=200), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('entrada', 'salida')", name=op.f('ck_cash_movements_kind')),
    sa.ForeignKeyConstraint(['cashier_id'], ['users.id'], name=op.f('fk_cash_movements_cashier_id_users')),
    sa.ForeignKeyConstraint(['terminal_id'], ['terminals.id'], name=op.f('fk_cash_movements_terminal_id_terminals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cash_movements')),
    sa.UniqueConstraint('uuid', name=op.f('uq_cash_movements_uuid'))
    )
    with op.batch_alter_table('cash_movements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cash_movements_shift_uuid'), ['shift_uuid'], unique=False)

    op.create_table('cortes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('terminal_id', sa.Integer(), nullable=False),
    sa.Column('cashier_id', sa.Integer(), nullable=False),
    sa.Column('shift_uuid', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=1), nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('review', sa.String(length=200), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('X', 'Z')", name=op.f('ck_cortes_kind')),
    sa.ForeignKeyConstraint(['cashier_id'], ['users.id'], name=op.f('fk_cortes_cashier_id_users')),
    sa.ForeignKeyConstraint(['terminal_id'], ['terminals.id'], name=op.f('fk_cortes_terminal_id_terminals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cortes')),
    sa.UniqueConstraint('uuid', name=op.f('uq_cortes_uuid'))
    )
    with op.batch_alter_table('cortes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cortes_shift_uuid'), ['shift_uuid'], unique=False)

    op.create_table('shifts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('terminal_id', sa.Integer(), nullable=False),
    sa.Column('cashier_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.String(length=40), nullable=False),
    sa.Column('opening_float', sa.BigInteger(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('review', sa.String(length=200), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cashier_id'], ['users.id'], name=op.f('fk_shifts_cashier_id_users')),
    sa.ForeignKeyConstraint(['terminal_id'], ['terminals.id'], name=op.f('fk_shifts_terminal_id_terminals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shifts')),
    sa.UniqueConstraint('uuid', name=op.f('uq_shifts_uuid'))
    )
    op.create_table('corte_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('corte_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=30), nullable=False),
    sa.Column('expected', sa.BigInteger(), nullable=False),
    sa.Column('counted', sa.BigInteger(), nullable=False),
    sa.Column('difference', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['corte_id'], ['cortes.id'], name=op.f('fk_corte_lines_corte_id_cortes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_corte_lines'))
    )
    with op.batch_alter_table('corte_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_corte_lines_corte_id'), ['corte_id'], unique=False)

    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cashier_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('shift_uuid', sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f('ix_sales_shift_uuid'), ['shift_uuid'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pin_hash', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('shop_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_users_shop_id_shops'), 'shops', ['shop_id'], ['id'])

    with op.batch_alter_table('voids', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cashier_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('shift_uuid', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('review', sa.String(length=200), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('voids', schema=None) as batch_op:
        batch_op.drop_column('review')
        batch_op.drop_column('shift_uuid')
        batch_op.drop_column('cashier_id')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_shop_id_shops'), type_='foreignkey')
        batch_op.drop_column('deactivated_at')
        batch_op.drop_column('shop_id')
        batch_op.drop_column('pin_hash')

    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_shift_uuid'))
        batch_op.drop_column('shift_uuid')
        batch_op.drop_column('cashier_id')

    with op.batch_alter_table('corte_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_corte_lines_corte_id'))

    op.drop_table('corte_lines')
    op.drop_table('shifts')
    with op.batch_alter_table('cortes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cortes_shift_uuid'))

    op.drop_table('cortes')
    with op.batch_alter_table('cash_movements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cash_movements_shift_uuid'))

    op.drop_table('cash_movements')
    with op.batch_alter_table('authorizations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_authorizations_shift_uuid'))

    op.drop_table('authorizations')
