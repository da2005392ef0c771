"""Precomputed lists: the API's fast path for `POST /v1/recommend`.

When a model version loads, every host's list (the best `LIST_TOP_K` products at the
served `min_fit`, with the default filters) is computed in one pass of block scoring, the
batch's path, before the version is swapped in, and kept as serialised JSON. Lists are
ranked by fit and cut by it, so a request asking for at most `LIST_TOP_K` products at a
`min_fit` at least the served one, with filters that narrow the defaults, is answered from
the stored list when the items it gets are a head of the stored list (reasons do not repeat
a quote within a list, so an item's reasons depend on the items before it): the filters
leave the head alone and there are enough items (or the list holds every product at the
cut). Other requests are scored (`HostLists.score`): each list also keeps its host's best
rows for requests of up to `KEPT_TOP_K` products (`radar.matching.candidates`), which
rank those instead of the whole catalogue when that gives the same answer, and what its
reasons left for the products below them (`KnownHead`): a scored answer whose first items
are the list's (`top_k` 21 or 50 below the lists' cut, say) takes those items' JSON as
they are and explains only the rest, when the host's profile, placements and market heat
are the ones the list was made from. A list older than `ttl` seconds is still answered
at once and renewed in the background: when no ingest has brought
transcripts, comments or placements since it was made (the store's data version), it is
kept as it is, else it is recomputed, the refresher pausing after each host for nine
times as long as it took (at most a tenth of the server's time goes to refreshing), so
new text shows up within about `ttl` seconds without slowing anyone down.
"""

from __future__ import annotations

import gc
import json
import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from pydantic_core import to_json

from radar.matching.candidates import CandidateSet
from radar.matching.profiles import READY
from radar.matching.ranking import BusinessFilters, take_passing
from radar.matching.recommender import (
    BELOW_CUT,
    BELOW_CUT_ITEMS,
    HostRecommendations,
    KnownHead,
    below_cut_reason,
)
from radar.service.cache import TimedValue
from radar.service.service import RadarService
from radar.store.derived import data_version
from serving.schemas import RecommendationsPublic

LIST_TOP_K = 20
KEPT_TOP_K = 100
"""Each list keeps its host's best rows for requests of up to this many products."""
LIST_TABLES = ("transcripts", "comments", "placements")
"""The tables whose new rows can change a host's list."""
REFRESH_PAUSE = 9.0
"""The refresher rests this many times as long as each recomputed list took."""
NO_FULL_PASS = 1 << 30
"""The cyclic collector's third threshold while the lists are made: never reached."""
VERSION_SECONDS = 1.0
"""How long one reading of the store's data version is trusted."""
_LISTED, _BELOW_CUT = b'"below_cut":false', b'"below_cut":true'

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredList:
    """One host's list: its state (and why there is no list), each item's fit and each
    item as JSON."""

    made_at: float
    data: str
    """The store's data version the list was made from (`radar.store.derived.data_version`)."""
    state: str
    reason: str | None
    name: str | None
    fits: tuple[float, ...]
    rows: tuple[int, ...]
    """Each item's catalogue row (what the filters read)."""
    proposals: tuple[float, ...]
    items: tuple[bytes, ...]
    """Each item as JSON without its rank (`{"rank":N,` is put in front when answered)."""
    head: KnownHead | None = None
    """The list as a known head of scored answers (`HostLists.score`)."""


class HostLists:
    """Every host's list for one model version, answered as ready-made JSON."""

    def __init__(self, service: RadarService, version: str, *, min_fit: float, ttl: float) -> None:
        self.service = service
        self.version = version
        self.min_fit = min_fit
        self.ttl = ttl
        self._lists: dict[str, StoredList] = {}
        self._candidates: dict[str, CandidateSet] = {}
        self._refreshing: set[str] = set()
        self._lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="list-refresh")
        self._version = TimedValue(
            partial(data_version, service.engine, LIST_TABLES), VERSION_SECONDS
        )
        self.warmed = threading.Event()
        """Set once every host's list is computed (`warm`)."""
        self.recomputed = 0
        """Lists computed again after the warm-up (by `add` or a refresh)."""

    def __len__(self) -> int:
        return len(self._lists)

    def __contains__(self, streamer_id: object) -> bool:
        """Whether the host has a list (made, or being renewed)."""
        return streamer_id in self._lists

    def warm(self) -> None:
        """Compute every host's list (block scoring over the whole store)."""
        started = time.monotonic()
        # no full pass of the cyclic collector over the objects made here while they are
        # made; the young passes go on, freeing the cycles requests leave meanwhile
        thresholds = gc.get_threshold()
        gc.set_threshold(thresholds[0], thresholds[1], NO_FULL_PASS)
        try:
            data = self._data_version()
            if self.service.kept_histories is not None:
                self.service.kept_histories.read()  # every host's, at once, for the lists too
            lists = self.service.recommend_all(
                top_k=LIST_TOP_K, min_fit=self.min_fit, keep_top_k=KEPT_TOP_K
            )
            for result in lists:
                self._store(result, data)
            self.service.prepare_free_text()
        finally:
            # millions of objects that live as long as the model (lists, histories, catalogue):
            # out of the cyclic collector's full passes, which paused every request for them
            gc.collect()
            gc.freeze()
            gc.set_threshold(*thresholds)
        self.warmed.set()
        logger.info(
            "lists for %d hosts ready in %.1f s", len(self._lists), time.monotonic() - started
        )

    def warm_later(self) -> None:
        """`warm` in the background: until it is done, a host without a list is answered
        by scoring (and its list kept, `add`)."""
        self._worker.submit(self._warm_logged)

    def _warm_logged(self) -> None:
        try:
            self.warm()
        except Exception:  # scoring keeps answering; lists are made host by host instead
            logger.exception("could not compute the hosts' lists")

    def covers(self, *, top_k: int, min_fit: float) -> bool:
        """Whether a request with these options is a prefix of the stored lists."""
        return top_k <= LIST_TOP_K and min_fit >= self.min_fit

    def add(self, streamer_id: str) -> None:
        """Compute and keep the list of a host that has none yet (one that came to the
        store after the warm-up).

        Raises:
            UnknownHostError: no such host in the store.
        """
        data = self._data_version()
        self._store(
            self.service.recommend(
                streamer_id, top_k=LIST_TOP_K, min_fit=self.min_fit, keep_top_k=KEPT_TOP_K
            ),
            data,
        )
        self.recomputed += 1

    def score(self, streamer_id: str, **options: Any) -> bytes:
        """The response body of a request the list does not answer, scored (options: top_k,
        min_fit, filters, rank_by): among the host's kept best rows when they can tell, else
        over the whole catalogue, the items it shares with the head of the host's list taken
        from the list; the same answer either way.

        Raises:
            UnknownHostError: no such host in the store.
        """
        candidates = self._candidates.get(streamer_id)
        stored = self._lists.get(streamer_id)
        head = None if stored is None else stored.head
        result = self.service.recommend(streamer_id, candidates=candidates, head=head, **options)
        if not result.known:
            return public_json(result, self.version)
        assert stored is not None  # a known head is the stored list's
        ranked = [b'{"rank":%d,' % (i + 1) + stored.items[i][1:] for i in range(result.known)]
        return public_json(result, self.version, head=ranked)

    def answer(
        self,
        streamer_id: str,
        *,
        top_k: int,
        min_fit: float,
        filters: BusinessFilters | None = None,
        rank_by: str = "fit",
    ) -> bytes | None:
        """The response body from the stored list, or None when there is no list for the
        host or the list cannot answer the request (more items, filters wider than the
        defaults, or too few items left by them; below the lists' cut, fewer than `top_k`
        items from the head of a list that reaches it: a lower cut only adds products after
        the list's)."""
        stored = self._lists.get(streamer_id)
        if stored is None or top_k > LIST_TOP_K:
            return None
        if min_fit < self.min_fit and stored.state != READY:
            return None
        if time.monotonic() - stored.made_at > self.ttl:
            stored = self._renew(streamer_id, stored)
        recommender = self.service.recommender
        rules = recommender.filters_for(filters)
        if not rules.narrows(recommender.default_filters):
            return None
        state, reason = stored.state, stored.reason
        items = stored.items
        chosen: list[int] | None = []
        if not stored.items:
            pass  # no list, and why (or no product passes the default filters)
        elif state == READY and stored.fits[0] >= min_fit:
            chosen = self._chosen(stored, rules, top_k, min_fit, rank_by)
        elif state in (READY, BELOW_CUT):
            # none at this cut: the closest products, as scoring gives them (defaults only)
            if rules != recommender.default_filters:
                return None
            wanted = min(top_k, BELOW_CUT_ITEMS)
            if state == READY and len(stored.items) < wanted:
                return None  # the list ends at its cut: the closest may lie below it
            chosen = list(range(min(len(stored.items), wanted)))
            state, reason = BELOW_CUT, below_cut_reason(min_fit, len(chosen), filtered=False)
            items = tuple(item.replace(_LISTED, _BELOW_CUT, 1) for item in items[: len(chosen)])
        if chosen is None:
            return None
        head: dict[str, object] = {
            "streamer_id": streamer_id,
            "streamer_name": stored.name,
            "model_version": self.version,
            "min_fit": min_fit,
            "state": state,
            "reason": reason,
        }
        ranked = [b'{"rank":%d,' % rank + items[i][1:] for rank, i in enumerate(chosen, 1)]
        return json_object(head, "items", ranked)

    def _chosen(
        self, stored: StoredList, rules: BusinessFilters, top_k: int, min_fit: float, rank_by: str
    ) -> list[int] | None:
        """The stored items a request gets, in order; None when the list cannot tell."""
        products = self.service.recommender.catalogue.products
        if not rules.passes(products[stored.rows[0]]):
            return None  # the answer would not start the list: no head of it (below)
        at_cut = [i for i, fit in enumerate(stored.fits) if fit >= min_fit]
        # the list holds every product at this cut (the lists' cut or above) that passes
        whole = min_fit >= self.min_fit and (
            len(at_cut) < len(stored.fits) or len(stored.fits) < LIST_TOP_K
        )
        if rank_by == "proposal":
            if not whole:
                return None
            at_cut.sort(
                key=lambda i: (
                    -stored.proposals[i],
                    -stored.fits[i],
                    products[stored.rows[i]].product_id,
                )
            )
        items = [products[row] for row in stored.rows]
        chosen = take_passing(at_cut, items, top_k=top_k, filters=rules)
        # reasons do not repeat a quote within a list: the stored items' reasons hold for
        # a head of the stored list only
        head = chosen == list(range(len(chosen)))
        return chosen if chosen and head and (len(chosen) == top_k or whole) else None

    def close(self) -> None:
        """Stop the background refresher (pending refreshes are dropped)."""
        self._worker.shutdown(wait=False, cancel_futures=True)

    def _renew(self, streamer_id: str, stored: StoredList) -> StoredList:
        """A stale list: kept for longer at once when the store's data are those it was
        made from (a thread hand-over per host cost a tenth of the covered throughput while
        the lists went stale), else recomputed in the background (`_refresh_later`)."""
        if stored.data != self._data_version():
            self._refresh_later(streamer_id)
            return stored
        renewed = self._lists[streamer_id] = replace(stored, made_at=time.monotonic())
        return renewed

    def _refresh_later(self, streamer_id: str) -> None:
        with self._lock:
            if streamer_id in self._refreshing:
                return
            self._refreshing.add(streamer_id)
        self._worker.submit(self._refresh, streamer_id)

    def _refresh(self, streamer_id: str) -> None:
        try:
            started = time.monotonic()
            self.service.renew_heat()  # once per new data version
            self.add(streamer_id)
            time.sleep(REFRESH_PAUSE * (time.monotonic() - started))
        except Exception:  # the old list keeps being served; the next request retries
            logger.exception("could not refresh the list of %s", streamer_id)
        finally:
            with self._lock:
                self._refreshing.discard(streamer_id)

    def _data_version(self) -> str:
        """The store's data version of the list tables (read at most once a second)."""
        return self._version.get()[0]

    def _store(self, result: HostRecommendations, data: str) -> None:
        """Keep `result`, made with `keep_top_k` (so a list with items has its head: its
        rows and fits are the head's)."""
        if result.candidates is None:
            self._candidates.pop(result.streamer_id, None)
        else:
            self._candidates[result.streamer_id] = result.candidates
        public = to_public(result, self.version)
        head = result.head
        self._lists[result.streamer_id] = StoredList(
            time.monotonic(),
            data,
            result.state,
            result.reason,
            result.streamer_name,
            () if head is None else tuple(head.fits),  # the head's tuples, not copies
            () if head is None else tuple(head.rows),
            tuple(item.proposal_score for item in public.items),
            tuple(
                item.model_dump_json().encode().replace(b'"rank":%d,' % item.rank, b"", 1)
                for item in public.items
            ),
            head,
        )


def to_public(result: HostRecommendations, version: str) -> RecommendationsPublic:
    """A host's list as the API's response body."""
    return RecommendationsPublic.model_validate(_body(result, version))  # items and all


def public_json(result: HostRecommendations, version: str, *, head: Sequence[bytes] = ()) -> bytes:
    """`to_public(result, version).model_dump_json()`, written by the same serialiser
    without building and checking the models first (a third of the answer's cost): the
    values are already of the schema's types (tested on every kind of answer). `head`: the
    JSON of the list's first items, ahead of `result.items`."""
    body = to_json(_body(result, version))
    if not head:
        return body
    items = body.rindex(b'"items":[') + len(b'"items":[')
    after = b"" if body[items] == ord("]") else b","
    return body[:items] + b",".join(head) + after + body[items:]


def _body(result: HostRecommendations, version: str) -> dict[str, object]:
    """The response body as JSON values, in the schema's order (`RecommendationsPublic`)."""
    return {
        "streamer_id": result.streamer_id,
        "streamer_name": result.streamer_name,
        "model_version": version,
        "min_fit": result.min_fit,
        "state": result.state,
        "reason": result.reason,
        "items": [item.to_dict() for item in result.items],
    }


def json_object(fields: dict[str, object], list_name: str, items: Sequence[bytes]) -> bytes:
    """`{**fields, list_name: [items]}` as JSON, the items already serialised."""
    head = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))[:-1].encode()
    separator = b"," if fields else b""
    return head + separator + json.dumps(list_name).encode() + b":[" + b",".join(items) + b"]}"
