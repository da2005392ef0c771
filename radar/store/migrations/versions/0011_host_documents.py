"""each host's documents as a model inferred them, so that new text rebuilds a profile
without inferring its old documents again

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "host_documents",
        sa.Column("model_id", sa.String(length=64), nullable=False),
        sa.Column("streamer_id", sa.String(length=64), nullable=False),
        sa.Column("text_state", sa.Text(), nullable=False),
        sa.Column("keys", sa.Text(), nullable=False),
        sa.Column("thetas", sa.LargeBinary(), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("model_id", "streamer_id"),
    )


def downgrade() -> None:
    op.drop_table("host_documents")
