"""a week is published whole: rows written under their batch run, a publication per week,
the runs it replaced, and `weekly_recommendations` a view of the published runs' rows

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COLUMNS = "week, streamer_id, rank, product_id, title, fit, calibrated, reasons, model_version"
MIGRATED = "migrated"
"""The batch id of the rows published before this migration."""


def upgrade() -> None:
    op.create_table(
        "weekly_recommendation_rows",
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("batch_id", sa.String(length=32), nullable=False),
        sa.Column("streamer_id", sa.String(length=64), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("fit", sa.Float(), nullable=False),
        sa.Column("calibrated", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("model_version", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("week", "batch_id", "streamer_id", "rank"),
    )
    op.create_table(
        "week_publications",
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("batch_id", sa.String(length=32), nullable=False),
        sa.Column("model_version", sa.String(length=32), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("week"),
        sa.UniqueConstraint("batch_id"),
    )
    op.create_table(
        "retired_batches",
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("batch_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("week", "batch_id"),
    )
    op.execute(
        f"INSERT INTO weekly_recommendation_rows (batch_id, {COLUMNS}) "
        f"SELECT week || '-{MIGRATED}', {COLUMNS} FROM weekly_recommendations"
    )
    op.execute(
        "INSERT INTO week_publications (week, batch_id, model_version, row_count, published_at) "
        f"SELECT week, week || '-{MIGRATED}', MAX(model_version), COUNT(*), CURRENT_TIMESTAMP "
        "FROM weekly_recommendations GROUP BY week"
    )
    op.drop_table("weekly_recommendations")
    op.execute(
        f"CREATE VIEW weekly_recommendations AS SELECT {_of('listed')} "
        "FROM weekly_recommendation_rows AS listed JOIN week_publications AS published "
        "ON published.week = listed.week AND published.batch_id = listed.batch_id"
    )


def downgrade() -> None:
    op.execute("DROP VIEW weekly_recommendations")
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
    op.execute(
        f"INSERT INTO weekly_recommendations ({COLUMNS}) SELECT {_of('listed')} "
        "FROM weekly_recommendation_rows AS listed JOIN week_publications AS published "
        "ON published.week = listed.week AND published.batch_id = listed.batch_id"
    )
    op.drop_table("retired_batches")
    op.drop_table("week_publications")
    op.drop_table("weekly_recommendation_rows")


def _of(table: str) -> str:
    """The view's columns, taken from `table`."""
    return ", ".join(f"{table}.{column.strip()}" for column in COLUMNS.split(","))
