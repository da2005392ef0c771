"""host profiles and catalogue vectors keyed by the model's identity, not its version

Rows keyed by a version number could belong to another registry's "version 1", so they
are dropped: both tables only hold what a model derives from the store, rebuilt on use.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _recreate("model_id", sa.String(length=64))


def downgrade() -> None:
    _recreate("model_version", sa.String(length=32))


def _recreate(name: str, key: sa.String) -> None:
    """Both tables, emptied, with the model's column `name` of type `key`."""
    op.drop_table("host_profiles")
    op.drop_table("catalogue_vectors")
    op.create_table(
        "host_profiles",
        sa.Column(name, key, nullable=False),
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
        sa.PrimaryKeyConstraint(name, "streamer_id"),
    )
    op.create_table(
        "catalogue_vectors",
        sa.Column(name, key, nullable=False),
        sa.Column("data_version", sa.String(length=64), nullable=False),
        sa.Column("product_ids", sa.Text(), nullable=False),
        sa.Column("arrays", sa.LargeBinary(), nullable=False),
        sa.Column("tokens", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint(name),
    )
