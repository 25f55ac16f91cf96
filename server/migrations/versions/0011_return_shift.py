"""The shift a return's refund came out of, as a column (it was only inside the stored body), so a shift's
expected cash finds its refunds by index instead of scanning every return's text.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 01:10:00
"""
from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('returns') as batch:
        batch.add_column(sa.Column('shift_uuid', sa.String(length=36), nullable=True))
        batch.create_index('ix_returns_shift_uuid', ['shift_uuid'], unique=False)
    conn = op.get_bind()
    returns = sa.table('returns', sa.column('id', sa.Integer), sa.column('body', sa.Text),
                       sa.column('shift_uuid', sa.String))
    for rid, body in conn.execute(sa.select(returns.c.id, returns.c.body)
                                  .where(returns.c.body.contains('"shift_uuid"'))).all():
        shift = json.loads(body).get("shift_uuid")
        if isinstance(shift, str) and 0 < len(shift) <= 36:
            conn.execute(returns.update().where(returns.c.id == rid).values(shift_uuid=shift))


def downgrade() -> None:
    with op.batch_alter_table('returns') as batch:
        batch.drop_index('ix_returns_shift_uuid')
        batch.drop_column('shift_uuid')
