"""One monitoring pass: every figure with its status, and the tables behind them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from radar.monitoring.calibration import CalibrationCheck
from radar.monitoring.impact import ImpactEstimate
from radar.monitoring.status import STATUSES, Figure, Status, worst


@dataclass(frozen=True)
class WeekRow:
    """One week of placements since the champion's data: predicted against realised, and
    the impact of the placements that followed a list that week."""

    week: str
    placements: int
    mean_fit: float
    converted_rate: float
    ece: float
    followed: int
    impact: ImpactEstimate | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "week": self.week,
            "placements": self.placements,
            "mean_fit": _number(self.mean_fit),
            "converted_rate": _number(self.converted_rate),
            "ece": _number(self.ece),
            "followed": self.followed,
            "impact": None if self.impact is None else self.impact.to_dict(),
        }


@dataclass
class MonitoringReport:
    """What `radar monitor` found for one champion."""

    model_version: str
    trained_at: str
    champion_age_days: float
    data_until: str
    period: tuple[str, str]
    figures: list[Figure] = field(default_factory=list)
    calibration: list[CalibrationCheck] = field(default_factory=list)
    weeks: list[WeekRow] = field(default_factory=list)
    impact: ImpactEstimate | None = None
    adopted: int = 0
    unknown_recommendation_ids: int = 0

    @property
    def status(self) -> Status:
        return worst(figure.status for figure in self.figures)

    def acting(self) -> list[Figure]:
        """The figures whose status is `act`."""
        return [figure for figure in self.figures if figure.status == "act"]

    def metrics(self) -> dict[str, float]:
        """Every known figure, and every status as 0 / 1 / 2 (`status.…`), for MLflow."""
        values = {f.name: f.value for f in self.figures if not math.isnan(f.value)}
        codes = {f"status.{f.name}": float(STATUSES.index(f.status)) for f in self.figures}
        overall = float(STATUSES.index(self.status))
        return {**values, **codes, "status": overall, "champion_age_days": self.champion_age_days}

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "model_version": self.model_version,
            "trained_at": self.trained_at,
            "champion_age_days": round(self.champion_age_days, 2),
            "data_until": self.data_until,
            "period": {"from": self.period[0], "to": self.period[1]},
            "figures": [figure.to_dict() for figure in self.figures],
            "calibration": [
                {
                    "group": check.group,
                    "pairs": check.pairs,
                    "ece": _number(check.ece),
                    "chance_ece": _number(check.chance_ece),
                    "precision_at_min_fit": _number(check.precision_at_min_fit),
                    "pairs_at_min_fit": check.pairs_at_min_fit,
                    "reliability": [
                        {"low": low, "predicted": predicted, "observed": observed, "count": n}
                        for low, predicted, observed, n in check.reliability
                    ],
                    "status": check.status,
                }
                for check in self.calibration
            ],
            "weeks": [week.to_dict() for week in self.weeks],
            "impact": None if self.impact is None else self.impact.to_dict(),
            "adopted_placements": self.adopted,
            "unknown_recommendation_ids": self.unknown_recommendation_ids,
        }


def _number(value: float) -> float | None:
    return None if math.isnan(value) else value
