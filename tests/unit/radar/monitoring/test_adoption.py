from datetime import datetime

from radar.monitoring.adoption import (
    ListedItem,
    PlacedItem,
    link_placements,
    recommendation_id,
    week_start,
)

LISTED = [
    ListedItem("2026-W45", "s1", 1, "p1", 0.91, "3"),
    ListedItem("2026-W45", "s1", 2, "p2", 0.85, "3"),
    ListedItem("2026-W47", "s1", 1, "p1", 0.93, "4"),
    ListedItem("2026-W45", "s2", 1, "p1", 0.88, "3"),
]


def _linked(placements: list[PlacedItem], window_days: int = 14) -> dict[str, tuple[str, str]]:
    linking = link_placements(placements, LISTED, window_days=window_days)
    return {a.placement_id: (a.item.recommendation_id, a.source) for a in linking.adoptions}


def test_week_start_is_the_iso_monday() -> None:
    assert week_start("2026-W45") == datetime(2026, 11, 2)
    assert recommendation_id("2026-W45", "s1", 2) == "2026-W45:s1:2"


def test_links_by_host_product_and_window() -> None:
    placements = [
        PlacedItem("a", "s1", "p2", datetime(2026, 11, 4, 20)),  # in W45's window
        PlacedItem("b", "s1", "p2", datetime(2026, 11, 16, 20)),  # 14 days on: out
        PlacedItem("c", "s1", "p2", datetime(2026, 11, 1, 20)),  # before the week opened
        PlacedItem("d", "s2", "p2", datetime(2026, 11, 4, 20)),  # not s2's recommendation
        PlacedItem("e", "s2", "p1", datetime(2026, 11, 9, 20)),  # s2's W45, 7 days on
    ]
    assert _linked(placements) == {
        "a": ("2026-W45:s1:2", "matched"),
        "e": ("2026-W45:s2:1", "matched"),
    }
    assert "b" in _linked(placements, window_days=15)


def test_the_latest_started_week_wins() -> None:
    placements = [
        PlacedItem("x", "s1", "p1", datetime(2026, 11, 12, 20)),  # W45 (day 10) only
        PlacedItem("y", "s1", "p1", datetime(2026, 11, 17, 20)),  # W45 (15: out) and W47
    ]
    assert _linked(placements) == {
        "x": ("2026-W45:s1:1", "matched"),
        "y": ("2026-W47:s1:1", "matched"),
    }


def test_an_explicit_id_wins_and_an_unknown_one_is_reported() -> None:
    placements = [
        # the same pair and time as a matched link, but the caller names W45's rank 1 of s2
        PlacedItem("a", "s1", "p2", datetime(2026, 11, 4, 20), "2026-W45:s2:1"),
        PlacedItem("b", "s1", "p1", datetime(2026, 11, 4, 20), "2026-W45:s9:1"),
    ]
    linking = link_placements(placements, LISTED)
    assert [(a.placement_id, a.item.recommendation_id, a.source) for a in linking.adoptions] == [
        ("a", "2026-W45:s2:1", "explicit")
    ]
    assert linking.unknown_ids == ["2026-W45:s9:1"]
