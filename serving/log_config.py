"""The server's logging: one stderr handler for every logger (ours, uvicorn's, MLflow's,
SQLAlchemy's), which masks the password of every URL in a message or a traceback."""

from __future__ import annotations

import logging
from typing import Any

from radar.redact import MaskPasswords, mask_urls_in

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class MaskedTracebacks(logging.Formatter):
    """A formatter that masks URL passwords in tracebacks and stacks too (the
    `MaskPasswords` filter sees only a record's message)."""

    def formatException(self, ei: Any) -> str:
        return mask_urls_in(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return mask_urls_in(super().formatStack(stack_info))


def server_log_config() -> dict[str, Any]:
    """A `logging.config.dictConfig` for `uvicorn.run(log_config=...)`: warnings from
    everyone, the access log (`radar.access`) and model swaps (`serving`) at INFO.
    MLflow keeps its own handlers unless MLFLOW_CONFIGURE_LOGGING=false (`radar serve`
    sets it)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"mask_passwords": {"()": MaskPasswords}},
        "formatters": {"masked": {"()": MaskedTracebacks, "format": FORMAT}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "masked",
                "filters": ["mask_passwords"],
            }
        },
        "root": {"level": "WARNING", "handlers": ["stderr"]},
        "loggers": {
            "radar.access": {"level": "INFO"},
            "serving": {"level": "INFO"},
            "uvicorn": {"level": "WARNING"},
        },
    }
