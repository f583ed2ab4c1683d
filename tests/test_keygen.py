"""Key strength: ``so-eval keygen FILE`` writes a random 32-byte key (mode 600) that the key-file
loader reads, never inside the repository and never over an existing file; a key shorter than 16
bytes is refused at ingest with the advice to run ``so-eval keygen``."""

from __future__ import annotations

import os
import re
import stat

import pytest

from so_eval import config
from so_eval.cli import main
from so_eval.data import pseudonym as ps
from so_eval.data.ingest import IngestError, ingest
from tiny import write_tiny


@pytest.fixture(autouse=True)
def no_key(monkeypatch):
    monkeypatch.delenv(ps.KEY_ENV, raising=False)
    monkeypatch.delenv(ps.KEY_FILE_ENV, raising=False)


def citizens_export(tmp_path):
    export = tmp_path / "borgere.csv"
    export.write_text(
        "cpr;birth_year;gender;target_group;origin;registered\n150380-4821;1980;k;kontanthjælp;dansk;01-01-2019\n",
        encoding="utf-8",
    )
    return export


def test_keygen_writes_a_random_32_byte_key_readable_only_by_the_owner(tmp_path, capsys, monkeypatch):
    path = tmp_path / "secrets" / "so-eval.key"  # the folder is made (mode 700)
    old = os.umask(0)  # even with a permissive umask
    try:
        assert main(["keygen", str(path)]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    text = path.read_text(encoding="ascii")
    assert re.fullmatch(r"[0-9a-f]{64}\n", text)  # 32 random bytes, as hex, one line
    out = capsys.readouterr().out
    assert str(path) in out and ps.KEY_FILE_ENV in out and text.strip() not in out  # never shown
    assert ps.key_check(text.strip().encode()) in out
    monkeypatch.setenv(ps.KEY_FILE_ENV, str(path))
    assert ps.load_key() == text.strip().encode()  # the format the key-file loader reads
    other = tmp_path / "other.key"
    assert main(["keygen", str(other)]) == 0
    assert other.read_text(encoding="ascii") != text  # random, not derived


def test_a_generated_key_file_is_used_by_ingest(tmp_path, monkeypatch):
    key = ps.write_key(tmp_path / "k.key")
    monkeypatch.setenv(ps.KEY_FILE_ENV, str(key))
    into = tmp_path / "data" / "d"
    report = ingest([citizens_export(tmp_path)], into)
    assert report.added == 1
    pid = (into / "citizens.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[0]
    assert pid == ps.pseudonymise("1503804821", key.read_bytes().strip())


def test_keygen_refuses_a_path_inside_the_repository_or_any_git_working_tree(tmp_path, capsys):
    inside = config.PROJ_ROOT / "params" / "keygen-test.key"
    assert main(["keygen", str(inside)]) == 1
    assert "inside the repository" in capsys.readouterr().err
    assert not inside.exists()
    (tmp_path / "checkout" / ".git").mkdir(parents=True)
    nested = tmp_path / "checkout" / "conf" / "k.key"
    assert main(["keygen", str(nested)]) == 1
    assert "inside the repository" in capsys.readouterr().err
    assert not nested.exists() and not nested.parent.exists()


def test_keygen_never_overwrites_an_existing_file(tmp_path, capsys):
    path = tmp_path / "k.key"
    path.write_text("the old key, with pseudonyms made from it\n", encoding="utf-8")
    assert main(["keygen", str(path)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == "the old key, with pseudonyms made from it\n"
    (tmp_path / "folder").mkdir()
    with pytest.raises(ps.PseudonymKeyError, match="already exists"):
        ps.write_key(tmp_path / "folder")


@pytest.mark.parametrize("how", ["env", "file"])
def test_a_key_shorter_than_16_bytes_is_refused_at_ingest_with_keygen_advice(tmp_path, monkeypatch, how):
    def use(key: str) -> None:
        if how == "env":
            monkeypatch.setenv(ps.KEY_ENV, key)
        else:
            f = tmp_path / "keys" / f"{len(key.encode())}.key"
            f.parent.mkdir(exist_ok=True)
            f.write_text(key + "\n", encoding="utf-8")
            monkeypatch.setenv(ps.KEY_FILE_ENV, str(f))

    into = tmp_path / "data" / "d"
    use("fifteen-bytes!!")
    with pytest.raises(IngestError) as err:
        ingest([citizens_export(tmp_path)], into)
    (p,) = err.value.problems
    assert "too short (15 bytes; at least 16" in p.message and "so-eval keygen" in p.message
    assert not into.exists()
    use("æøåæøåæø")  # 8 characters but 16 bytes in UTF-8: long enough
    assert ingest([citizens_export(tmp_path)], into).added == 1


def test_the_cli_ingest_prints_the_keygen_advice_for_a_short_key(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(ps.KEY_ENV, "short-key")
    into = tmp_path / "data" / "d"
    assert main(["ingest", str(write_tiny(tmp_path / "t") / "citizens.csv"), "--into", str(into)]) == 1
    err = capsys.readouterr().err
    assert "too short (9 bytes" in err and "so-eval keygen FILE" in err
    assert not into.exists()
