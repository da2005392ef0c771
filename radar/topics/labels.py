"""Human topic labels that survive retraining.

A labels file is a UTF-8 CSV with the columns `label` and `keywords` (words separated
by spaces), for example `底妆,粉底液 遮瑕 持妆 控油`. A label names the topic whose top
words share the most keywords with it (at least `min_shared`), so the same file keeps
labelling the matching topic after every retraining, whatever its index.

Training keeps the rules it applied with its run (`LABELS_FILE` among the artifacts), and
a retraining without a labels file uses the file `$RADAR_HOME/topic_labels.csv` when there
is one, else the champion's rules.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from radar.errors import RadarError

LABELS_FILE = "topic_labels.csv"
"""The labels file's name under RADAR_HOME and among a training run's artifacts."""
LabelRules = list[tuple[str, frozenset[str]]]


def home_labels_file(home: Path) -> Path | None:
    """`home/topic_labels.csv` when it exists, else None."""
    path = home / LABELS_FILE
    return path if path.is_file() else None


def read_label_rules(path: Path) -> LabelRules:
    """(label, keywords) pairs from a labels file."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"label", "keywords"} - set(reader.fieldnames or ())
        if missing:
            raise RadarError(f"labels file {path} needs the columns label and keywords")
        return [
            (row["label"].strip(), frozenset(row["keywords"].split()))
            for row in reader
            if row["label"].strip() and row["keywords"].strip()
        ]


def write_label_rules(rules: LabelRules, path: Path) -> None:
    """Write `rules` as a labels file (UTF-8 with BOM, so Excel shows the Chinese)."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["label", "keywords"])
        writer.writerows((label, " ".join(sorted(keywords))) for label, keywords in rules)


def match_labels(
    top_words: Sequence[Sequence[str]],
    rules: Sequence[tuple[str, frozenset[str]]],
    *,
    min_shared: int = 2,
) -> dict[int, str]:
    """Topic index → label, greedily by the most shared keywords; each topic at most once.

    Example:
        >>> match_labels([["口红", "色号"], ["羽绒服", "保暖"]],
        ...              [("冬装", frozenset({"羽绒服", "保暖", "棉服"}))])
        {1: '冬装'}
    """
    candidates = sorted(
        (
            (len(keywords & set(words)), topic, label)
            for topic, words in enumerate(top_words)
            for label, keywords in rules
        ),
        key=lambda item: (-item[0], item[1], item[2]),
    )
    labels: dict[int, str] = {}
    used: set[str] = set()
    for shared, topic, label in candidates:
        if shared >= min_shared and topic not in labels and label not in used:
            labels[topic] = label
            used.add(label)
    return labels
