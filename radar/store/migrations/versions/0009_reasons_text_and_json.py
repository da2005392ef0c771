"""weekly lists: `reasons` holds the reasons' text, as the week's files do, and the new
`reasons_json` the whole reasons, as the Parquet file does (the store held the JSON in
`reasons`)

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BEFORE = "week, streamer_id, rank, product_id, title, fit, calibrated, reasons, model_version"
AFTER = f"{BEFORE}, reasons_json"


def upgrade() -> None:
    op.execute("DROP VIEW weekly_recommendations")
    with op.batch_alter_table("weekly_recommendation_rows") as rows:
        rows.add_column(sa.Column("reasons_json", sa.Text(), nullable=True))
    text = (
        "CAST(reasons AS json) ->> 'text'"
        if op.get_bind().dialect.name == "postgresql"
        else "json_extract(reasons, '$.text')"
    )
    op.execute(
        "UPDATE weekly_recommendation_rows "
        f"SET reasons_json = reasons, reasons = COALESCE({text}, '')"
    )
    with op.batch_alter_table("weekly_recommendation_rows") as rows:
        rows.alter_column("reasons_json", existing_type=sa.Text(), nullable=False)
    _create_view(AFTER)


def downgrade() -> None:
    op.execute("DROP VIEW weekly_recommendations")
    op.execute("UPDATE weekly_recommendation_rows SET reasons = reasons_json")
    with op.batch_alter_table("weekly_recommendation_rows") as rows:
        rows.drop_column("reasons_json")
    _create_view(BEFORE)


def _create_view(columns: str) -> None:
    """`weekly_recommendations`: the published runs' rows (as migration 0006 made it)."""
    listed = ", ".join(f"listed.{column.strip()}" for column in columns.split(","))
    op.execute(
        f"CREATE VIEW weekly_recommendations AS SELECT {listed} "
        "FROM weekly_recommendation_rows AS listed JOIN week_publications AS published "
        "ON published.week = listed.week AND published.batch_id = listed.batch_id"
    )
