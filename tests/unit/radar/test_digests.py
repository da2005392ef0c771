"""Model file digests: what is recorded, what verification refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from radar.digests import file_digests, model_identity, parse_recorded, verify_files
from radar.errors import ModelIntegrityError


def model_folder(root: Path) -> Path:
    folder = root / "radar_model"
    (folder / "topic_model").mkdir(parents=True)
    (folder / "matching.json").write_text("{}", encoding="utf-8")
    (folder / "topic_model" / "lda.npz").write_bytes(b"arrays")
    return folder


def test_every_file_is_recorded_by_its_relative_path(tmp_path: Path) -> None:
    digests = file_digests(model_folder(tmp_path))
    assert sorted(digests) == ["matching.json", "topic_model/lda.npz"]
    assert digests["matching.json"] == (
        "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    )


def test_the_identity_follows_the_contents_only(tmp_path: Path) -> None:
    first = file_digests(model_folder(tmp_path / "a"))
    assert model_identity(first) == model_identity(file_digests(model_folder(tmp_path / "b")))
    changed = model_folder(tmp_path / "c")
    (changed / "matching.json").write_text("{ }", encoding="utf-8")
    assert model_identity(file_digests(changed)) != model_identity(first)


def test_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    folder = model_folder(tmp_path)
    (tmp_path / "elsewhere").write_text("secret", encoding="utf-8")
    (folder / "peers.npz").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ModelIntegrityError, match=r"peers\.npz is not a plain file"):
        file_digests(folder)


def test_verification_names_each_problem_without_paths(tmp_path: Path) -> None:
    folder = model_folder(tmp_path)
    expected = file_digests(folder)
    verify_files(folder, expected, "m version 1")
    (folder / "matching.json").write_text("[]", encoding="utf-8")
    (folder / "topic_model" / "lda.npz").unlink()
    (folder / "extra").write_bytes(b"")
    with pytest.raises(ModelIntegrityError) as refused:
        verify_files(folder, expected, "m version 1")
    message = str(refused.value)
    assert "topic_model/lda.npz is missing" in message
    assert "extra is not part of it" in message and "matching.json was changed" in message
    assert str(tmp_path) not in message


@pytest.mark.parametrize("recorded", [None, "", "not json", json.dumps(["a"])])
def test_missing_or_unreadable_records_are_refused(recorded: str | None) -> None:
    with pytest.raises(ModelIntegrityError, match="retrain"):
        parse_recorded(recorded, "m version 1")
