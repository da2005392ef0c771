"""Text and features: Chinese normalisation, segmentation, stopwords, danmaku filtering.

The floor of the project: pure functions and small classes over text and tokens.
No environment variables, no database, no network.
"""
