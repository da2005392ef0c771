"""a host profile keeps the unit vector of the host's words (`radar.topics.word_vectors`)

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("host_profiles") as table:
        table.add_column(sa.Column("words", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("host_profiles") as table:
        table.drop_column("words")
