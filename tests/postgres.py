"""A throwaway PostgreSQL server for the tests: the system's `initdb` and `pg_ctl`, a data
folder of its own, 127.0.0.1 on a free port, and a fresh database per test.

PostgreSQL refuses to run as root, so under root the server runs as the `postgres` user
(or `nobody`) in a folder that user owns. `tests/setup/ensure-postgres.sh` installs the
binaries where they are missing.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

USER, PASSWORD = "radar", "radar-test-secret"
ROOT_PREFIX = "radar-test-pg-"
"""Under root: `<tmp>/radar-test-pg-<pid of the test process>-<random>/data`."""
SERVER_USERS = ("postgres", "nobody")
"""Who runs the server when the tests run as root, first one that exists."""
SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "unix_socket_directories": "",  # TCP only: the default socket folder may not exist
    "fsync": "off",  # a throwaway server: speed over durability
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",  # the concurrency tests open many
    "shared_buffers": "32MB",
}


class PostgresNotAvailable(RuntimeError):
    """PostgreSQL cannot be had here: not installed, or no user may run it."""


def find_binary(name: str) -> Path:
    """`name` (`initdb`, `pg_ctl`) from PATH, else the newest `/usr/lib/postgresql/*/bin`."""
    found = shutil.which(name)
    if found:
        return Path(found)
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    if not candidates:
        raise PostgresNotAvailable(
            f"PostgreSQL is not installed (no {name} in PATH or /usr/lib/postgresql/*/bin): "
            "run `make test` as root to install it, or `apt-get install postgresql`"
        )
    return Path(candidates[-1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    """One running server; `stop()` ends it and removes a folder it made itself."""

    data_dir: Path
    port: int
    run_as: pwd.struct_passwd | None
    owned_root: Path | None = None
    _names: itertools.count = field(default_factory=itertools.count)

    def url(self, database: str, driver: str = "psycopg") -> str:
        """The SQLAlchemy URL of `database` (MLflow takes the same form)."""
        return f"postgresql+{driver}://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{database}"

    def create_database(self, prefix: str = "test") -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        name = f"{prefix}_{os.getpid()}_{next(self._names)}"
        with self._admin() as connection:
            connection.execute(f'CREATE DATABASE "{name}" STRATEGY FILE_COPY')
        return self.url(name)

    def copy_database(self, url: str) -> str:
        """A new database with the rows of the one at `url`; returns its URL. PostgreSQL
        copies only a database nobody is connected to: connections left open to it (the
        pools of engines earlier tests made) are ended first."""
        source = url.rsplit("/", 1)[-1]
        name = f"{source}_copy_{next(self._names)}"
        with self._admin() as connection:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (source,),
            )
            connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}" STRATEGY FILE_COPY')
        return self.url(name)

    def stop(self) -> None:
        _run(
            [find_binary("pg_ctl"), "stop", "-D", self.data_dir, "-m", "immediate", "-s"],
            self.run_as,
        )
        if self.owned_root is not None:
            shutil.rmtree(self.owned_root, ignore_errors=True)

    def _admin(self) -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=USER,
            password=PASSWORD,
            dbname="postgres",
            autocommit=True,
        )


def start_server(folder: Path) -> PostgresServer:
    """initdb a cluster and start it on a free port. Under root the cluster goes in a new
    folder of the system's temp dir owned by the server's user (pytest's own temp dirs
    are private to root), and is removed by `stop()`; one left by a killed test process is
    stopped and removed here."""
    initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
    run_as = _server_user() if os.geteuid() == 0 else None
    owned_root = None
    if run_as is not None:
        _remove_abandoned_servers(pg_ctl, run_as)
        owned_root = Path(tempfile.mkdtemp(prefix=f"{ROOT_PREFIX}{os.getpid()}-"))
        os.chown(owned_root, run_as.pw_uid, run_as.pw_gid)
        folder = owned_root
    data_dir = folder / "data"
    password_file = folder / "password"
    password_file.write_text(PASSWORD)
    if run_as is not None:
        os.chown(password_file, run_as.pw_uid, run_as.pw_gid)
    _run(
        [
            initdb,
            "-D",
            data_dir,
            "-U",
            USER,
            f"--pwfile={password_file}",
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        ],
        run_as,
    )
    password_file.unlink()
    options = " ".join(f"-c {key}={value!r}" for key, value in SETTINGS.items())
    for _attempt in range(3):  # another process may take the free port first
        port = _free_port()
        started = _run(
            [
                pg_ctl,
                "start",
                "-D",
                data_dir,
                "-w",
                "-t",
                "60",
                "-s",
                "-l",
                data_dir / "server.log",
                "-o",
                f"-p {port} {options}",
            ],
            run_as,
            check=False,
        )
        if started.returncode == 0:
            return PostgresServer(data_dir, port, run_as, owned_root)
    log = (data_dir / "server.log").read_text(errors="replace")[-2000:]
    raise RuntimeError(f"PostgreSQL did not start; the end of its log:\n{log}")


def _remove_abandoned_servers(pg_ctl: Path, run_as: pwd.struct_passwd) -> None:
    """Stop and delete the servers of test processes that died without stopping them."""
    for root in Path(tempfile.gettempdir()).glob(f"{ROOT_PREFIX}*-*"):
        owner = root.name.removeprefix(ROOT_PREFIX).split("-")[0]
        if not owner.isdigit() or _alive(int(owner)):
            continue
        if (root / "data" / "postmaster.pid").exists():
            _run(
                [pg_ctl, "stop", "-D", root / "data", "-m", "immediate", "-s"], run_as, check=False
            )
        shutil.rmtree(root, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _server_user() -> pwd.struct_passwd:
    for name in SERVER_USERS:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresNotAvailable(
        f"running as root and none of the users {', '.join(SERVER_USERS)} exists: "
        "PostgreSQL refuses to run as root"
    )


def _run(
    command: list[str | Path], run_as: pwd.struct_passwd | None, *, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run `command`, as `run_as` when given; a failure shows its output."""
    identity = {"user": run_as.pw_uid, "group": run_as.pw_gid, "extra_groups": []} if run_as else {}
    environment = {**os.environ, "LC_ALL": "C"}
    if run_as is not None:
        environment["HOME"] = run_as.pw_dir
    result = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        env=environment,
        cwd="/",
        timeout=120,
        check=False,
        **identity,  # type: ignore[arg-type]
    )
    if check and result.returncode != 0:
        raise RuntimeError(
            f"{Path(str(command[0])).name} failed ({result.returncode}): "
            f"{result.stderr.strip() or result.stdout.strip()}"
        )
    return result
