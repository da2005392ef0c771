"""adoption: placements may name the recommendation they followed, and the links found
(named or matched by host, product and week) are kept in `adoptions`

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("placements") as placements:
        placements.add_column(sa.Column("recommendation_id", sa.String(length=100), nullable=True))
    op.create_table(
        "adoptions",
        sa.Column("placement_id", sa.String(length=64), nullable=False),
        sa.Column("recommendation_id", sa.String(length=100), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("fit", sa.Float(), nullable=False),
        sa.Column("model_version", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("placement_id"),
    )
    op.create_index("ix_adoptions_week", "adoptions", ["week"])


def downgrade() -> None:
    op.drop_index("ix_adoptions_week", table_name="adoptions")
    op.drop_table("adoptions")
    with op.batch_alter_table("placements") as placements:
        placements.drop_column("recommendation_id")
