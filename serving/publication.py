"""A week of `radar batch` is published whole: its three files and its store rows appear
together or not at all, and a killed run's leftovers are cleaned by the next run.

The filesystem and the store share no transaction, so a run (holding an exclusive lock on
the out folder) goes through these steps:

1. **recover** what a killed run left in the folder (below);
2. **stage**: the files are written into a hidden folder `.radar-batch-<week>-<batch id>` beside
   the outputs, and the store rows under the batch id in `weekly_recommendation_rows`,
   which readers do not see: the view `weekly_recommendations` shows each week's
   published run only;
3. **commit**: once every file is synced, one short transaction points the week's
   `week_publications` row at the batch and lists the run it replaces in
   `retired_batches` (whose rows the next run's store writer deletes, beside its own
   writing, instead of this transaction, which stays short);
4. **move** the files into place (renames) and remove the staging folder.

The staging folder is the journal, settled at the end of its run (or, if the run was
killed, by the next one): when its batch is published, its files are moved into place
(rolled forward: the kill came among the renames); when not, its store rows and then the
folder are deleted (rolled back). Until then the week's last published rows and files
stay as they were.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from uuid import uuid4

from sqlalchemy import Connection, Engine, delete, insert, select, update

from radar.atomic import sync_directory
from radar.errors import StoreBusyError
from radar.store.models import Base, RetiredBatch, WeeklyRecommendationRow, WeekPublication

_STAGING_PREFIX = ".radar-batch-"
_STAGING = re.compile(re.escape(_STAGING_PREFIX) + r"(\d{4}-W\d{2})-([0-9a-f]{32})")
_OLD_TEMPORARY = ".recommendations-*"
"""Temporary files of runs made by versions before staging folders."""
_BEIJING = timezone(timedelta(hours=8))
_ROWS = Base.metadata.tables[WeeklyRecommendationRow.__tablename__]
_PUBLICATIONS = Base.metadata.tables[WeekPublication.__tablename__]
_RETIRED = Base.metadata.tables[RetiredBatch.__tablename__]


@dataclass(frozen=True)
class Staging:
    """Where a run writes its week before it is published."""

    week: str
    batch_id: str
    folder: Path


@contextmanager
def publishing(
    engine: Engine, out_dir: Path, week: str, *, model_version: str, rows: int
) -> Iterator[Staging]:
    """Recover the folder, yield a staging area for `week`'s files and store rows, and
    publish them (all `rows` of them) when the block ends without an error. On an error
    the staged files and rows are discarded and the last published week stays."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with _locked(out_dir):
        _recover(engine, out_dir)
        batch_id = uuid4().hex
        staging = Staging(week, batch_id, out_dir / f"{_STAGING_PREFIX}{week}-{batch_id}")
        staging.folder.mkdir()
        sync_directory(out_dir)  # the journal exists before any row is written
        try:
            yield staging
            sync_directory(staging.folder)
            with engine.begin() as connection:
                _commit(connection, week, batch_id, model_version, rows)
        except BaseException:
            with suppress(Exception):  # what this leaves, the next run settles
                _settle(engine, staging, out_dir)
            raise
        _settle(engine, staging, out_dir)


def _recover(engine: Engine, out_dir: Path) -> None:
    """Finish or undo what killed runs left in `out_dir` (see the module's docstring)."""
    for path in sorted(out_dir.iterdir()):
        match = _STAGING.fullmatch(path.name)
        if match is not None:
            _settle(engine, Staging(match.group(1), match.group(2), path), out_dir)
    for temporary in out_dir.glob(_OLD_TEMPORARY):
        temporary.unlink(missing_ok=True)


def delete_retired(connection: Connection) -> None:
    """Delete the rows of the runs that later publications replaced."""
    for week, batch_id in connection.execute(select(_RETIRED.c.week, _RETIRED.c.batch_id)).all():
        connection.execute(
            delete(_ROWS).where(_ROWS.c.week == week).where(_ROWS.c.batch_id == batch_id)
        )
        connection.execute(
            delete(_RETIRED).where(_RETIRED.c.week == week).where(_RETIRED.c.batch_id == batch_id)
        )


def _commit(connection: Connection, week: str, batch_id: str, version: str, rows: int) -> None:
    """Make the batch the week's published run, and retire the one it replaces."""
    previous = connection.execute(  # locked: a concurrent commit of the week waits
        select(_PUBLICATIONS.c.batch_id).where(_PUBLICATIONS.c.week == week).with_for_update()
    ).scalar()
    publication = {
        "batch_id": batch_id,
        "model_version": version,
        "row_count": rows,
        "published_at": datetime.now(_BEIJING).replace(tzinfo=None),
    }
    if previous is None:
        connection.execute(insert(_PUBLICATIONS).values(week=week, **publication))
        return
    connection.execute(
        update(_PUBLICATIONS).where(_PUBLICATIONS.c.week == week).values(**publication)
    )
    connection.execute(insert(_RETIRED).values(week=week, batch_id=previous))


def _settle(engine: Engine, staging: Staging, out_dir: Path) -> None:
    """A published run's files are moved into place; an unpublished run's store rows are
    deleted, then its staging folder (the journal last)."""
    with engine.begin() as connection:
        published = connection.execute(
            select(_PUBLICATIONS.c.week).where(_PUBLICATIONS.c.batch_id == staging.batch_id)
        ).first()
        if published is None:
            connection.execute(
                delete(_ROWS)
                .where(_ROWS.c.week == staging.week)
                .where(_ROWS.c.batch_id == staging.batch_id)
            )
    if published is None:
        shutil.rmtree(staging.folder, ignore_errors=True)
    else:
        _roll_forward(staging.folder, out_dir)


def _roll_forward(folder: Path, out_dir: Path) -> None:
    """Move a published run's files into place, then remove its staging folder."""
    for path in sorted(folder.iterdir()):
        _move_into_place(path, out_dir / path.name)
    sync_directory(out_dir)
    folder.rmdir()


def _move_into_place(staged: Path, target: Path) -> None:
    """One file, renamed over the published one (atomic: the same file system)."""
    os.replace(staged, target)


@contextmanager
def _locked(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on `out_dir` (released by the kernel if the process dies)."""
    handle = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreBusyError(
                f"another radar batch is writing to {out_dir}; wait for it to finish "
                "or write elsewhere with --out"
            ) from None
        yield
    finally:
        os.close(handle)
