"""Recommendations straight from the store: load once, then score any host."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import Engine

from radar.errors import UnknownProductError
from radar.matching.candidates import CandidateSet, fingerprint
from radar.matching.history import History, histories_of
from radar.matching.model import RadarModel
from radar.matching.products import ProductText, ProductVectors, closest_to_topics
from radar.matching.profiles import BuiltProfiles, DocumentTopics, HostProfile
from radar.matching.recommender import (
    HostInput,
    HostRecommendations,
    KnownHead,
    Recommender,
)
from radar.service.cache import TimedCache, TimedValue
from radar.service.forked import forked_map
from radar.service.histories import KeptHistories
from radar.service.options import ListOptions
from radar.store.derived import (
    CATALOGUE_TABLES,
    PROFILE_TABLES,
    data_version,
    load_catalogue_vectors,
    load_profiles,
    restamp_profiles,
    save_catalogue_vectors,
    save_profiles,
)
from radar.store.documents import load_documents
from radar.store.host_documents import (
    load_host_documents,
    load_text_states,
    save_host_documents,
    text_states,
)
from radar.store.hosts import require_known_host
from radar.store.market import HEAT_TABLES, load_heat
from radar.store.reads import (
    StoreSnapshot,
    load_catalogue,
    load_host_ids,
    load_host_names,
    load_placements,
)

T = TypeVar("T")
HOST_CHUNK = 256
"""Hosts scored at a time by `recommend_all` (a multiple of the block size)."""
PROFILES_KEPT = 500
"""Host profiles kept between requests (about 56 KB each, with their evidence lines, at
the scale store: a profile is read from the store in about 0.2 ms)."""
DATA_VERSION_SECONDS = 1.0
"""How long host by host profile reads rely on the data version read before (at most
`profile_ttl`): a query per request cost half of reading the profile. A profile is kept
from the moment its data version was read, so new text still shows within `profile_ttl`."""


class RadarService:
    """The catalogue of a store, scored with one radar model against its hosts' profiles
    and placements (read host by host, or chunk by chunk, as they are now)."""

    def __init__(
        self,
        engine: Engine,
        model: RadarModel,
        *,
        model_version: str | None = None,
        profile_ttl: float = 300.0,
        snapshot: StoreSnapshot | None = None,
        options: ListOptions | None = None,
        keep_histories: bool = False,
    ) -> None:
        """`model_version`: the registry version of `model`; with it, host profiles and
        the catalogue's vectors are saved to and reused from the store, under the model's
        identity (`RadarModel.identity`, the digest of its files: two registries both have
        a version 1), or under `model_version` for a model without one (never saved: only
        its caller knows it). `profile_ttl`:
        seconds a host's profile is reused before it is read again (new comments and
        transcripts in the store show up after at most that long). `snapshot`: the store's
        catalogue and histories, already read (then used instead of reading them again).
        `options`: default filters and proposal weights (settings'); each product's market
        heat is read from the store here. `keep_histories`: read every host's placements
        at once (when first asked for, in the background) and keep them while the store's
        placements stay as they are (`KeptHistories`: the API's), not host by host."""
        self.engine = engine
        self.model = model
        self.model_version = model_version
        self.derived_key = None if model_version is None else model.identity or model_version
        self._profiles: TimedCache[HostProfile] = TimedCache(profile_ttl, max_entries=PROFILES_KEPT)
        self._profile_data = TimedValue(
            partial(data_version, engine, PROFILE_TABLES), min(DATA_VERSION_SECONDS, profile_ttl)
        )
        self._placements: TimedCache[History] = TimedCache(profile_ttl)
        self.snapshot = snapshot
        self.kept_histories = KeptHistories(engine) if keep_histories else None
        catalogue = self._catalogue(
            load_catalogue(engine) if snapshot is None else snapshot.products
        )
        options = options or ListOptions()
        self.recommender = Recommender(
            model,
            catalogue,
            defaults=options.defaults,
            heat=load_heat(engine, catalogue, model.topics),
            weights=options.weights,
        )
        self._heat_of = data_version(engine, HEAT_TABLES)
        self.host_names = load_host_names(engine)
        """Every host's name, read once (a host added later is read when first asked for)."""
        self.documents_inferred = 0
        """Documents tokenised and inferred for profiles by this process so far."""

    def _catalogue(self, products: list[ProductText]) -> ProductVectors:
        """The catalogue's vectors: from the store when this model made them from
        the store's current data, else built and saved (and kept in the stored form)."""
        if self.derived_key is None:
            return self.model.catalogue(products)
        version_of_data = data_version(self.engine, CATALOGUE_TABLES)
        stored = load_catalogue_vectors(self.engine, self.derived_key, version_of_data, products)
        if stored is None:
            built = self.model.catalogue(products)
            stored = save_catalogue_vectors(self.engine, self.derived_key, version_of_data, built)
        return stored

    def renew_heat(self) -> None:
        """Read the market heat again when an ingest has brought what it is made from."""
        version = data_version(self.engine, HEAT_TABLES)
        if version != self._heat_of:
            catalogue = self.recommender.catalogue
            self.recommender.heat = load_heat(self.engine, catalogue, self.model.topics)
            self._heat_of = version

    def profile(self, streamer_id: str) -> HostProfile:
        """The host's profile (with its evidence lines), from a cache of `profile_ttl` s.

        Raises:
            UnknownHostError: no such host in the store.
        """
        profile = self._profiles.get(streamer_id)
        if profile is None:
            if streamer_id not in self.host_names:  # hosts are never removed
                require_known_host(self.engine, streamer_id)
            version_of_data, read_at = (
                self._profile_data.get() if self.derived_key is not None else (None, None)
            )
            profile = self._profiles_of([streamer_id], version_of_data)[streamer_id]
            self._profiles.put(streamer_id, profile, at=read_at)
        return profile

    def _profiles_of(
        self, streamer_ids: list[str], version_of_data: str | None = None
    ) -> dict[str, HostProfile]:
        """These hosts' profiles: from the store when this model made them from the
        store's data as of `version_of_data` (None: read now), else kept or built (and
        saved for next time)."""
        if self.derived_key is None:
            return self._build(streamer_ids, {}).profiles
        if version_of_data is None:
            version_of_data = data_version(self.engine, PROFILE_TABLES)
        profiles = load_profiles(self.engine, self.derived_key, version_of_data, streamer_ids)
        missing = [host for host in streamer_ids if host not in profiles]
        if missing:
            profiles.update(self._renew(self.derived_key, missing, version_of_data))
        return profiles

    def _renew(
        self, key: str, streamer_ids: list[str], version_of_data: str
    ) -> dict[str, HostProfile]:
        """Profiles of hosts not stored for `version_of_data`: a host whose text is as it
        was when its stored profile was made keeps that profile; the others are built
        again, inferring only their documents this model (`key`) has not inferred yet."""
        states = text_states(self.engine, streamer_ids)  # before the documents are read
        stored_states = load_text_states(self.engine, key, streamer_ids)
        unchanged = [host for host in streamer_ids if stored_states.get(host) == states[host]]
        profiles = load_profiles(self.engine, key, None, unchanged)
        restamp_profiles(self.engine, key, version_of_data, list(profiles))
        changed = [host for host in streamer_ids if host not in profiles]
        if changed:
            known = load_host_documents(self.engine, key, changed, self.model.topics.num_topics)
            built = self._build(changed, known)
            save_profiles(self.engine, key, version_of_data, built.profiles.values())
            save_host_documents(
                self.engine, key, {host: (states[host], built.documents[host]) for host in changed}
            )
            profiles.update(built.profiles)
        return profiles

    def _build(self, streamer_ids: list[str], known: dict[str, DocumentTopics]) -> BuiltProfiles:
        """These hosts' profiles from their documents, those in `known` not inferred again
        (`documents_inferred` counts the others)."""
        documents = load_documents(self.engine, streamer_ids=streamer_ids, products=False)
        built = self.model.build_host_profiles(documents, streamer_ids, known)
        self.documents_inferred += built.inferred
        return built

    def history(self, streamer_id: str) -> History:
        """The host's past placements with an outcome (oldest first), and every product
        placed with it, as the store has them (read again after `profile_ttl` s, or kept:
        `keep_histories`)."""
        if self.kept_histories is not None:
            kept = self.kept_histories.get(streamer_id)
            if kept is not None:
                return kept
        history = self._placements.get(streamer_id)
        if history is None:
            history = self._histories([streamer_id])[streamer_id]
            self._placements.put(streamer_id, history)
        return history

    def _histories(self, streamer_ids: list[str]) -> dict[str, History]:
        if self.snapshot is not None:
            known = self.snapshot.histories
            return {host: known.get(host, ([], set())) for host in streamer_ids}
        if self.kept_histories is not None:
            kept = {host: self.kept_histories.get(host) for host in streamer_ids}
            if all(history is not None for history in kept.values()):
                return kept  # type: ignore[return-value]
        return histories_of(*load_placements(self.engine, streamer_ids), streamer_ids)

    def recommend(
        self,
        streamer_id: str,
        *,
        candidates: CandidateSet | None = None,
        head: KnownHead | None = None,
        **options: Any,
    ) -> HostRecommendations:
        """`Recommender.recommend` for a host of the store (options: top_k, min_fit, filters,
        rank_by, keep_top_k); ranked among `candidates` when they were kept from the host's
        profile and placements as they are now and can tell (`Recommender.recommend_from`);
        sharing the items of `head` (a list made before) that it can, when that was made
        from them too."""
        profile = self.profile(streamer_id)
        outcomes, placed = self.history(streamer_id)
        now = None if candidates is None and head is None else fingerprint(profile, outcomes)
        if head is not None and head.fingerprint != now:
            head = None
        result = None
        if candidates is not None and candidates.fingerprint == now:
            host = HostInput(profile, outcomes, placed)
            result = self.recommender.recommend_from(host, candidates, head=head, **options)
        if result is None:
            result = self.recommender.recommend(
                profile, outcomes, placed=placed, head=head, **options
            )
        self._name([result])
        return result

    def recommend_all(
        self,
        *,
        progress: Callable[[int, int], None] | None = None,
        workers: int = 1,
        **options: Any,
    ) -> Iterator[HostRecommendations]:
        """`Recommender.recommend_many` for every host of the store, in id order (options:
        top_k, min_fit, filters, engine); `progress` hears (hosts done, hosts). Hosts are
        scored `HOST_CHUNK` at a time, their profiles read (or built and saved) chunk by
        chunk, so memory does not grow with them; with `workers` > 1, chunks are scored in
        that many forked processes (which share this one's catalogue and history)."""
        for results in self.map_chunks(list, progress=progress, workers=workers, **options):
            yield from results

    def map_chunks(
        self,
        convert: Callable[[list[HostRecommendations]], T],
        *,
        progress: Callable[[int, int], None] | None = None,
        workers: int = 1,
        **options: Any,
    ) -> Iterator[T]:
        """`recommend_all`, each chunk's lists passed through `convert` where they are
        scored (in the worker, so that only what `convert` keeps travels back)."""
        hosts = load_host_ids(self.engine)
        chunks = [hosts[start : start + HOST_CHUNK] for start in range(0, len(hosts), HOST_CHUNK)]

        def score(chunk: list[str]) -> T:
            return convert(self._recommend_chunk(chunk, options))

        # a forked worker opens connections of its own, leaving the parent's alone
        converted = forked_map(
            score, chunks, workers=workers, after_fork=partial(self.engine.dispose, close=False)
        )
        done = 0
        for chunk, result in zip(chunks, converted, strict=True):
            yield result
            done += len(chunk)
            if progress is not None:
                progress(done, len(hosts))
        if progress is not None and not hosts:
            progress(0, 0)

    def _recommend_chunk(
        self, chunk: list[str], options: dict[str, Any]
    ) -> list[HostRecommendations]:
        profiles = self._profiles_of(chunk)
        histories = self._histories(chunk)
        inputs = [HostInput(profiles[h], *histories[h]) for h in chunk]
        return self._name(self.recommender.recommend_many(inputs, **options))

    def _name(self, results: list[HostRecommendations]) -> list[HostRecommendations]:
        """The results with their hosts' names (read for hosts added since start-up)."""
        missing = [r.streamer_id for r in results if r.streamer_id not in self.host_names]
        if missing:
            self.host_names.update(load_host_names(self.engine, missing))
        for result in results:
            result.streamer_name = self.host_names.get(result.streamer_id)
        return results

    def pair_fits(self, streamer_id: str, product_ids: list[str]) -> list[tuple[str, float]]:
        """The fit of each given product for the host.

        Raises:
            UnknownHostError, UnknownProductError: ids not in the store.
        """
        index = self.recommender.catalogue.index
        unknown = [pid for pid in product_ids if pid not in index]
        if unknown:
            raise UnknownProductError(unknown)
        profile = self.profile(streamer_id)
        fits = self.recommender.shown_fits(profile, self.history(streamer_id)[0])
        return [(pid, float(fits[index[pid]])) for pid in product_ids]

    def prepare_free_text(self) -> None:
        """Load what the first free text would (the topic model's dictionary and gensim,
        about 0.1 s), so that it is answered as fast as the next: the server's requests
        wait for each other, and all of them would wait for it."""
        products = self.recommender.catalogue.products
        if products:
            self.products_for_text(products[0].title, 1)

    def products_for_text(
        self, text: str, top_k: int
    ) -> tuple[np.ndarray, list[tuple[int, float]]]:
        """A free text's topic distribution, and the catalogue rows closest to it with their
        topic affinity (an uncalibrated score in [0, 1])."""
        topics = self.model.topics.transform([text])[0]
        return topics, closest_to_topics(self.recommender.catalogue, topics, top_k=top_k)
