"""What a person sees when a `radar` command fails: one line that says what is wrong and
what to do, a JSON object with `--json`, and an exit code per kind of failure (the
documented codes: 2 usage, 3 no model, 4 unknown id, 7 unusable RADAR_HOME)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("mlflow", "gensim", "sklearn")
RUN_CLI = (
    "import atexit, sys\n"
    "atexit.register(lambda: print('heavy imports:', "
    f"[m for m in {HEAVY!r} if m in sys.modules], file=sys.stderr))\n"
    "from cli.main import main\n"
    "main()\n"
)


def radar(
    home: Path, *args: str, **env_vars: str
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run `radar ARGS`: the finished process, and which heavy libraries it imported."""
    env = {**os.environ, "RADAR_HOME": str(home), "COLUMNS": "200"}
    for name in ("MLFLOW_TRACKING_URI", "RADAR_DATABASE_URL", "RADAR_MLFLOW_TRACKING_URI"):
        env.pop(name, None)
    env.update(env_vars)
    done = subprocess.run(
        [sys.executable, "-c", RUN_CLI, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=home.parent if home.parent.is_dir() else None,
    )
    *lines, imported = done.stderr.rstrip("\n").split("\n")
    assert imported.startswith("heavy imports:"), done.stderr
    done.stderr = "\n".join(lines)
    return done, json.loads(imported.removeprefix("heavy imports:").replace("'", '"'))


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


def test_promoting_a_missing_version_says_so_in_one_line(trained_home: Path) -> None:
    done, _ = radar(trained_home, "promote", "9")
    assert done.returncode == 4
    line = one_line(done.stderr)
    assert "version 9" in line and "radar promote" in line and "1" in line


@pytest.mark.parametrize(
    "where", ["a file", "under a file", "/proc"], ids=["file", "under-file", "proc"]
)
@pytest.mark.parametrize("command", [("recommend", "h0001"), ("ingest", "."), ("promote", "1")])
def test_an_unusable_home_is_one_line(where: str, command: tuple[str, ...], tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("not a folder\n")
    home = {"a file": afile, "under a file": afile / "home", "/proc": Path("/proc/radar-home")}
    done, _ = radar(home[where], *command)
    assert done.returncode == 7, done.stderr
    line = one_line(done.stderr)
    assert "RADAR_HOME" in line and str(home[where]) in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_home_is_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o500)
    done, _ = radar(home, "recommend", "h0001")
    assert done.returncode == 7
    assert "RADAR_HOME" in one_line(done.stderr)


def test_json_errors_and_exit_codes(trained_home: Path, tmp_path: Path) -> None:
    unknown, imported = radar(trained_home, "recommend", "nosuchhost", "--json")
    assert unknown.returncode == 4
    assert json.loads(unknown.stdout)["error"]["code"] == "unknown_host"
    assert "nosuchhost" in json.loads(unknown.stdout)["error"]["message"]
    assert imported == []  # the store says no before the model is loaded

    empty = tmp_path / "empty"
    no_model, imported = radar(empty, "recommend", "h0001", "--json")
    assert no_model.returncode == 3
    assert json.loads(no_model.stdout)["error"]["code"] == "no_model"
    assert imported == []  # told without MLflow
    assert not (empty / "mlflow.db").exists()  # and without creating a registry

    text, _ = radar(empty, "recommend", "h0001")
    assert text.returncode == 3 and "radar train" in one_line(text.stderr)

    usage, _ = radar(empty, "recommend", "h0001", "--top-k", "0", "--json")
    assert usage.returncode == 2
    assert json.loads(usage.stdout)["error"]["code"] == "usage"
    missing, _ = radar(empty, "recommend")
    assert missing.returncode == 2 and "Missing argument" in missing.stderr


def test_help_imports_nothing_heavy(tmp_path: Path) -> None:
    done, imported = radar(tmp_path / "home", "--help")
    assert done.returncode == 0 and "recommend" in done.stdout
    assert imported == []


def test_an_unexpected_error_is_one_line_and_a_logged_traceback(
    trained_home: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "radar.db").write_text("this is not a SQLite database\n" * 100)
    registry = f"sqlite:///{trained_home / 'mlflow.db'}"  # a champion, then a broken store
    done, _ = radar(home, "recommend", "h0001", RADAR_MLFLOW_TRACKING_URI=registry)
    assert done.returncode == 1
    line = one_line(done.stderr)
    log = home / "logs" / "errors.log"
    assert str(log) in line and "RADAR_DEBUG=1" in line
    assert "Traceback" in log.read_text(encoding="utf-8")

    debug, _ = radar(
        home, "recommend", "h0001", RADAR_DEBUG="1", RADAR_MLFLOW_TRACKING_URI=registry
    )
    assert debug.returncode == 1 and "Traceback" in debug.stderr

    as_json, _ = radar(home, "recommend", "h0001", "--json", RADAR_MLFLOW_TRACKING_URI=registry)
    error = json.loads(as_json.stdout)["error"]
    assert as_json.returncode == 1 and error["code"] == "internal_error"
    assert error["log"] == str(log)


def test_make_says_what_it_installs_and_shows_progress(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    root = Path(__file__).resolve().parents[2]
    plan = subprocess.run(
        ["make", "-n", f"VENV={venv}", f"{venv}/.installed"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    install = [line for line in plan.splitlines() if "pip install" in line and "-e" in line]
    assert install and "--quiet" not in install[0] and "-q" not in install[0].split()
    assert "a few minutes" in plan
