"""products get `listed_at` (new products are those listed recently); weekly lists get
the selection meeting's proposal score with its parts, the item's place by proposal score,
and `below_cut` (the closest products shown when none reaches the cut)

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BEFORE = (
    "week, streamer_id, rank, product_id, title, fit, calibrated, reasons, model_version, "
    "reasons_json"
)
ADDED = ("proposal_score", "heat", "fan_demand", "profit")
AFTER = f"{BEFORE}, {', '.join(ADDED)}, below_cut, proposal_rank"


def upgrade() -> None:
    with op.batch_alter_table("products") as products:
        products.add_column(sa.Column("listed_at", sa.DateTime(), nullable=True))
    op.execute("DROP VIEW weekly_recommendations")
    with op.batch_alter_table("weekly_recommendation_rows") as rows:
        for name in ADDED:
            rows.add_column(sa.Column(name, sa.Float(), nullable=False, server_default="0"))
        rows.add_column(sa.Column("below_cut", sa.Integer(), nullable=False, server_default="0"))
        rows.add_column(sa.Column("proposal_rank", sa.Integer(), nullable=True))
    _create_view(AFTER)


def downgrade() -> None:
    op.execute("DROP VIEW weekly_recommendations")
    with op.batch_alter_table("weekly_recommendation_rows") as rows:
        for name in (*ADDED, "below_cut", "proposal_rank"):
            rows.drop_column(name)
    with op.batch_alter_table("products") as products:
        products.drop_column("listed_at")
    _create_view(BEFORE)


def _create_view(columns: str) -> None:
    """`weekly_recommendations`: the published runs' rows (as migration 0006 made it)."""
    listed = ", ".join(f"listed.{column.strip()}" for column in columns.split(","))
    op.execute(
        f"CREATE VIEW weekly_recommendations AS SELECT {listed} "
        "FROM weekly_recommendation_rows AS listed JOIN week_publications AS published "
        "ON published.week = listed.week AND published.batch_id = listed.batch_id"
    )
