"""A seeded generator of a realistic demo data set in the contract's input format."""

from importlib import resources
from pathlib import Path


def topic_labels_file() -> Path:
    """The demo's topic label rules (CSV of label,keywords)."""
    return Path(str(resources.files("radar.demo").joinpath("topic_labels.csv")))
