"""Email delivery of CFDIs: the shop's SMTP settings (mail_settings, password sealed with the server secret) and
each CFDI's delivery state (cfdis.mail_*), so a stamped CFDI is mailed at most once and the back office shows
whether it was sent.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'mail_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('host', sa.String(length=255), nullable=False),
        sa.Column('port', sa.Integer(), nullable=False),
        sa.Column('security', sa.String(length=8), nullable=False),
        sa.Column('username', sa.String(length=255), nullable=True),
        sa.Column('secret', sa.LargeBinary(), nullable=True),
        sa.Column('sender', sa.String(length=254), nullable=False),
        sa.Column('sender_name', sa.String(length=200), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("security IN ('starttls', 'ssl', 'none')", name=op.f('ck_mail_settings_security')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_settings')),
    )
    # Nullable (or defaulted) columns: a plain ADD COLUMN on both databases. CFDIs stamped before keep NULL
    # (nothing is mailed retroactively when SMTP is configured later).
    op.add_column('cfdis', sa.Column('mail_state', sa.String(length=12), nullable=True))
    op.add_column('cfdis', sa.Column('mail_to', sa.String(length=254), nullable=True))
    op.add_column('cfdis', sa.Column('mail_attempts', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('cfdis', sa.Column('mail_next_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('cfdis', sa.Column('mail_sent_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('cfdis', sa.Column('mail_error', sa.String(length=300), nullable=True))
    op.create_index('ix_cfdis_mail_state', 'cfdis', ['mail_state', 'mail_next_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_cfdis_mail_state', table_name='cfdis')
    with op.batch_alter_table('cfdis') as batch:
        for column in ('mail_error', 'mail_sent_at', 'mail_next_at', 'mail_attempts', 'mail_to', 'mail_state'):
            batch.drop_column(column)
    op.drop_table('mail_settings')
