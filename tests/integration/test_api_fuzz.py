"""Schemathesis fuzzes every operation of the OpenAPI schema: no input may cause a 5xx."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings

from radar.settings import Settings
from serving.app import create_app

KEY = "fuzz-key"
EXAMPLES_PER_OPERATION = 30


def test_no_input_causes_a_server_error(trained_home: Path) -> None:
    app = create_app(Settings(home=trained_home, api_keys=KEY))
    app.state.holder.refresh()  # what the lifespan does when a server starts
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 10  # the API's 6 and the console's 4
    statuses: Counter[int] = Counter()
    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def call(case: schemathesis.Case) -> None:
            response = case.call(headers={"X-API-Key": KEY})
            statuses[response.status_code] += 1
            assert response.status_code < 500, (case.method, case.path, response.text[:300])

        call()
    print(dict(statuses))
    assert (
        statuses[200] > 0 and sum(statuses.values()) >= len(operations) * 10
    )  # it really called the API
