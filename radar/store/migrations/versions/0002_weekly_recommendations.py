"""weekly recommendations written by radar batch

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "weekly_recommendations",
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("streamer_id", sa.String(length=64), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("fit", sa.Float(), nullable=False),
        sa.Column("calibrated", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("model_version", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("week", "streamer_id", "rank"),
    )


def downgrade() -> None:
    op.drop_table("weekly_recommendations")
