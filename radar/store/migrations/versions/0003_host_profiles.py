"""host profiles stored with the model version that made them

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "host_profiles",
        sa.Column("model_version", sa.String(length=32), nullable=False),
        sa.Column("streamer_id", sa.String(length=64), nullable=False),
        sa.Column("data_version", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("talk_tokens", sa.Integer(), nullable=False),
        sa.Column("fans_tokens", sa.Integer(), nullable=False),
        sa.Column("talk", sa.LargeBinary(), nullable=True),
        sa.Column("fans", sa.LargeBinary(), nullable=True),
        sa.Column("combined", sa.LargeBinary(), nullable=True),
        sa.Column("keywords", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("model_version", "streamer_id"),
    )


def downgrade() -> None:
    op.drop_table("host_profiles")
