"""`radar recommend`: one host's ranked products with the champion."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from cli.filters import with_list_options
from cli.render import print_recommendations
from cli.store import open_settings_store
from radar.settings import Settings

if TYPE_CHECKING:
    from radar.matching.ranking import BusinessFilters


@with_list_options
def recommend(
    streamer_id: Annotated[str, typer.Argument(help="the host's id")],
    top_k: Annotated[int, typer.Option(min=1, max=200)] = 10,
    min_fit: Annotated[float | None, typer.Option(min=0.0, max=1.0)] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="print the answer as JSON: state and items")
    ] = False,
    *,
    filters: BusinessFilters,
    rank_by: str,
) -> None:
    """Ranked products for one host, with fit and reasons (the champion model)."""
    # SQLAlchemy: imported only when the command runs, so `radar --help` stays quick
    from radar.service.registry_probe import require_champion
    from radar.store.hosts import require_known_host

    settings = Settings()
    threshold = settings.min_fit if min_fit is None else min_fit
    require_champion(settings.resolved_mlflow_tracking_uri, settings.model_name)
    engine = open_settings_store(settings)
    require_known_host(engine, streamer_id)  # both told before MLflow is imported
    # the model's code and MLflow (seconds): only for a known host with a champion
    from serving.champion import champion_recommender
    from serving.lists import to_public

    loaded, recommender = champion_recommender(
        engine,
        tracking_uri=settings.resolved_mlflow_tracking_uri,
        model_name=settings.model_name,
        cache=settings.model_cache_dir,
        settings=settings,
    )
    result = recommender.recommend(
        streamer_id, top_k=top_k, min_fit=threshold, filters=filters, rank_by=rank_by
    )
    if as_json:  # the API's body, each item also with its host and model version
        answer = to_public(result, loaded.version).model_dump(mode="json", exclude={"items"})
        host = {"streamer_id": result.streamer_id, "streamer_name": result.streamer_name}
        answer["items"] = [
            {**host, **item.to_dict(), "model_version": loaded.version} for item in result.items
        ]
        typer.echo(json.dumps(answer, ensure_ascii=False))
        return
    print_recommendations(result, loaded.version)
