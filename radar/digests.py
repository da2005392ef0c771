"""SHA-256 digests of a saved model's files: recorded when it is trained, checked
before it is used, and the model's identity.

The digests are recorded on the training run (a tag in the tracking store), not only
beside the artifacts, which whoever can rewrite the artifacts could rewrite too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from radar.errors import ModelIntegrityError

DIGESTS_TAG = "radar.model_digests"
"""The run tag holding {relative path: SHA-256} of every file of the saved radar model."""
_BLOCK = 1 << 20


def file_digests(directory: Path) -> dict[str, str]:
    """{path relative to `directory` (POSIX): SHA-256 hex} of every file below it.

    Raises:
        ModelIntegrityError: a symbolic link or a special file is among them.
    """
    digests = {}
    for path in sorted(Path(directory).rglob("*")):
        if path.is_symlink() or not (path.is_dir() or path.is_file()):
            raise ModelIntegrityError(
                f"the model's {path.relative_to(directory).as_posix()} is not a plain file"
            )
        if path.is_file():
            digests[path.relative_to(directory).as_posix()] = _sha256(path)
    return digests


def model_identity(digests: Mapping[str, str]) -> str:
    """One SHA-256 over all the files' digests: equal only for the same files."""
    canonical = json.dumps(dict(sorted(digests.items())), separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def parse_recorded(text: str | None, what: str) -> dict[str, str]:
    """The digests recorded for `what` (a model version, for messages).

    Raises:
        ModelIntegrityError: none recorded, or not a {path: digest} object.
    """
    if not text:
        raise ModelIntegrityError(
            f"{what} has no recorded file digests (trained before the radar recorded them), "
            "so its files cannot be verified and it is not loaded; retrain with `radar train`"
        )
    try:
        digests = json.loads(text)
    except ValueError:
        digests = None
    if not isinstance(digests, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in digests.items()
    ):
        raise ModelIntegrityError(f"{what}'s recorded file digests are unreadable; retrain it")
    return digests


def verify_files(directory: Path, expected: Mapping[str, str], what: str) -> None:
    """Check that `directory` holds exactly the files of `expected`, byte for byte.

    Raises:
        ModelIntegrityError: a file differs, is missing or is not expected.
    """
    found = file_digests(directory)
    problems = [
        *(f"{name} is missing" for name in sorted(set(expected) - set(found))),
        *(f"{name} is not part of it" for name in sorted(set(found) - set(expected))),
        *(
            f"{name} was changed"
            for name in sorted(set(found) & set(expected))
            if found[name] != expected[name]
        ),
    ]
    if problems:
        shown = "; ".join(problems[:3]) + (" …" if len(problems) > 3 else "")
        raise ModelIntegrityError(
            f"{what}'s files do not match the digests recorded when it was trained ({shown}): "
            "the copy is damaged or was altered and is not loaded; promote another version "
            "(radar promote VERSION) or retrain (radar train)"
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()
