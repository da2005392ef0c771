"""Each host's documents as a model inferred them, and the state of the host's text.

After an ingest of new transcripts or comments, a host's profile is built again only when
its text changed (its `text_states` differ from those stored with its documents), and
then only its new or changed documents are tokenised and inferred: the others' topics
and modelled words are read back from here (`radar.matching.profiles.DocumentTopics`,
keyed by `document_key`). Topic weights are stored as float64 bytes, so a profile built
from them is exactly the one a full rebuild gives.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import numpy as np
from sqlalchemy import Engine, func, select

from radar.matching.profiles import DocumentTopics
from radar.store.derived import replace_host_rows
from radar.store.models import Comment, HostDocumentsRow, Transcript
from radar.store.reads import of_hosts

_RECORD, _UNIT = "\x1e", "\x1f"  # separators of documents and of words and counts


def text_states(engine: Engine, streamer_ids: Sequence[str]) -> dict[str, str]:
    """The state of each host's transcripts and comments: their number, latest time and
    summed length. Any row added, removed or rewritten to another length changes it."""
    parts: dict[str, list[object]] = {host: [0, None, 0, 0, None, 0] for host in streamer_ids}
    with engine.connect() as connection:
        for offset, (host_of, time, text) in enumerate(
            (
                (Transcript.streamer_id, Transcript.started_at, Transcript.text),
                (Comment.streamer_id, Comment.created_at, Comment.text),
            )
        ):
            summary = select(
                host_of, func.count(), func.max(time), func.sum(func.length(text))
            ).group_by(host_of)
            for query in of_hosts(summary, host_of, streamer_ids):
                for host, count, latest, length in connection.execute(query):
                    parts[host][3 * offset : 3 * offset + 3] = [count, str(latest), int(length)]
    return {host: json.dumps(state) for host, state in parts.items()}


def load_text_states(engine: Engine, model_id: str, streamer_ids: Sequence[str]) -> dict[str, str]:
    """The text states the stored documents of these hosts were read from (hosts without
    stored documents are left out)."""
    made = select(HostDocumentsRow.streamer_id, HostDocumentsRow.text_state).where(
        HostDocumentsRow.model_id == model_id
    )
    with engine.connect() as connection:
        return {
            host: state
            for query in of_hosts(made, HostDocumentsRow.streamer_id, streamer_ids)
            for host, state in connection.execute(query)
        }


def load_host_documents(
    engine: Engine, model_id: str, streamer_ids: Sequence[str], num_topics: int
) -> dict[str, DocumentTopics]:
    """The stored documents of these hosts as the model `model_id` inferred them, by
    `document_key`."""
    found: dict[str, DocumentTopics] = {}
    made = select(HostDocumentsRow.keys, HostDocumentsRow.thetas, HostDocumentsRow.words).where(
        HostDocumentsRow.model_id == model_id
    )
    with engine.connect() as connection:
        for query in of_hosts(made, HostDocumentsRow.streamer_id, streamer_ids):
            for keys, thetas, words in connection.execute(query):
                if not keys:
                    continue
                rows = np.frombuffer(thetas, dtype="<f8").reshape(-1, num_topics)
                for key, theta, counted in zip(
                    keys.split(_RECORD), rows, words.split(_RECORD), strict=True
                ):
                    found[key] = DocumentTopics(theta.copy(), _counts(counted))
    return found


def save_host_documents(
    engine: Engine,
    model_id: str,
    documents: Mapping[str, tuple[str, Mapping[str, DocumentTopics]]],
) -> None:
    """Store each host's (text state, documents by `document_key`) for the model
    `model_id`, replacing the hosts' older ones."""
    rows = [
        {
            "model_id": model_id,
            "streamer_id": host,
            "text_state": state,
            "keys": _RECORD.join(topics),
            "thetas": b"".join(np.asarray(t.theta, dtype="<f8").tobytes() for t in topics.values()),
            "words": _RECORD.join(
                _UNIT.join(f"{word}{_UNIT}{count}" for word, count in t.words.items())
                for t in topics.values()
            ),
        }
        for host, (state, topics) in documents.items()
    ]
    replace_host_rows(engine, HostDocumentsRow.__tablename__, model_id, rows)


def _counts(joined: str) -> dict[str, int]:
    units = joined.split(_UNIT) if joined else []
    return {units[i]: int(units[i + 1]) for i in range(0, len(units), 2)}
