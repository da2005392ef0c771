"""Topic models: the versioned LDA artifact, its inference, labels and quality measures."""

from radar.topics.model import SCHEMA_VERSION, NotFittedError, TopicModel

__all__ = ["SCHEMA_VERSION", "NotFittedError", "TopicModel"]
