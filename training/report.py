"""What a training run shows people: the topic table (CSV) and a static topic map (HTML)."""

from __future__ import annotations

import csv
import html
from pathlib import Path
from typing import Any

import numpy as np

from radar.topics import TopicModel


def topic_table(
    model: TopicModel, prevalence: np.ndarray, *, topn: int = 15
) -> list[dict[str, Any]]:
    """One row per topic: index, label, prevalence and its top words with weights."""
    rows = []
    for topic, words in enumerate(model.topic_words(topn)):
        rows.append(
            {
                "topic": topic,
                "label": model.topic_labels_[topic],
                "prevalence": round(float(prevalence[topic]), 4),
                "top_words": " ".join(word for word, _ in words),
                "weights": " ".join(f"{weight:.4f}" for _, weight in words),
            }
        )
    return rows


def write_topic_csv(rows: list[dict[str, Any]], path: Path) -> None:
    """The topic table as CSV, UTF-8 with BOM so Excel shows the Chinese correctly."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def topic_map_coordinates(model: TopicModel) -> np.ndarray:
    """2-D positions of the topics: PCA of the square-rooted topic-word distributions, so
    distances approximate the Hellinger distance between topics."""
    from sklearn.decomposition import PCA

    roots = np.sqrt(model.topic_word_matrix())
    if roots.shape[0] < 3:
        return np.column_stack([np.arange(roots.shape[0], dtype=float), np.zeros(roots.shape[0])])
    return PCA(n_components=2, random_state=0).fit_transform(roots)


def write_topic_report(
    model: TopicModel, prevalence: np.ndarray, path: Path, *, title: str
) -> None:
    """A self-contained HTML page: the inter-topic map and every topic's top words."""
    rows = topic_table(model, prevalence, topn=12)
    points = topic_map_coordinates(model)
    span = np.ptp(points, axis=0)
    scaled = (points - points.min(axis=0)) / np.where(span > 0, span, 1) * 440 + 40
    circles = []
    for (x, y), row in zip(scaled, rows, strict=True):
        radius = 6 + 40 * np.sqrt(row["prevalence"])
        circles.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="#d9534f" '
            f'fill-opacity="0.35" stroke="#a33"><title>{html.escape(row["label"])}</title></circle>'
            f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" font-size="12">'
            f"{row['topic']}</text>"
        )
    table_rows = "".join(
        f"<tr><td>{row['topic']}</td><td>{html.escape(row['label'])}</td>"
        f"<td>{row['prevalence']:.1%}</td><td>{html.escape(row['top_words'])}</td></tr>"
        for row in rows
    )
    path.write_text(
        f"""<!doctype html><html lang="zh"><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;margin:2em}}td,th{{padding:4px 8px;border-bottom:1px solid #ddd;
text-align:left}}</style>
<h1>{html.escape(title)}</h1>
<p>Inter-topic map: each circle is a topic, its area the topic's share of the documents;
close circles share words (PCA of square-rooted topic-word distributions).</p>
<svg width="520" height="520" style="border:1px solid #ccc">{"".join(circles)}</svg>
<h2>Topics</h2><table><tr><th>#</th><th>label</th><th>share</th><th>top words</th></tr>
{table_rows}</table></html>""",
        encoding="utf-8",
    )


def reliability_figure(reliability: list[tuple[float, float, float, int]], *, title: str) -> Any:
    """The reliability diagram of the fit: observed conversion rate per fit bin."""
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(5, 5))
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
    if reliability:
        predicted = [row[1] for row in reliability]
        observed = [row[2] for row in reliability]
        largest = max(row[3] for row in reliability)
        sizes = [20 + 200 * row[3] / largest for row in reliability]
        axes.plot(predicted, observed, color="#d9534f")
        axes.scatter(predicted, observed, s=sizes, color="#d9534f", label="fit bins (size = pairs)")
    axes.set(
        xlim=(0, 1),
        ylim=(0, 1),
        xlabel="predicted fit",
        ylabel="observed conversion rate",
        title=title,
    )
    axes.legend(loc="upper left")
    figure.tight_layout()
    return figure


def write_reliability_diagram(
    reliability: list[tuple[float, float, float, int]], path: Path, *, title: str
) -> None:
    """The reliability diagram as PNG."""
    import matplotlib.pyplot as plt

    figure = reliability_figure(reliability, title=title)
    figure.savefig(path, dpi=100)
    plt.close(figure)
