"""选品雷达 (selection radar): topic-model product recommendations for live-stream hosts."""

__version__ = "0.1.0"
