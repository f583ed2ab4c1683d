"""A guard before publishing: no CPR number, citizen pseudonym or row-level record gets out.

:func:`scan` reads every output file (HTML, notebooks, CSV, JSON; also TSV, JSON lines, text and
Markdown) and returns a :class:`Finding` for each of:

``cpr``
    A CPR-shaped number in any spelling, found by the detector ingest and ``validate`` use
    (:func:`so_eval.data.pseudonym.find_cpr`, which lists what it flags and why): ``DDMMYY`` with a
    valid date (day + 60 for substitute numbers) and four digits, together or apart by a
    hyphen, en/em dash, minus sign, slash, dot, space, no-break or narrow no-break space, or
    after a ``cpr``/``CPR-nr.`` word; not part of a longer number, word or hex string, and not
    a decimal. ISO dates (``2024-01-15``), SHA-256 fingerprints, numbers in Danish format
    (``9.762.000``), phone numbers and long numbers do not match. HTML is also read with its
    entities decoded and its tags as cell boundaries (``010180&ndash;1234``,
    ``010180&#160;1234``), JSON with its ``\\uXXXX`` escapes decoded (a manifest written with
    ``ensure_ascii``).
``pseudonym``
    Any of the dataset's citizen IDs (passed as ``pseudonyms``), as a whole word.
``row-level``
    Signs of a table of individual citizens:

    * a table whose column headers include a citizen identifier — ``citizen_id``, ``borger``,
      ``borger_id``, ``Borger-ID (CPR eller pseudonym)``, ``cpr``, ``cpr_nr``, ``CPR-nummer``,
      ``personnummer``, ``pseudonym`` — in a CSV header row, an HTML ``<th>`` or a JSON key; in
      the first two lines of a notebook's plain-text output (a printed DataFrame) only the
      code-like names (``citizen_id``, ``borger_id``, ``cpr_nr``, ``personnummer`` …), since
      "borger" and "CPR" are also ordinary words;
    * a table whose headers include birth year, gender *and* target group together
      (``birth_year``/``Fødselsår``, ``gender``/``Køn``, ``target_group``/``Målgruppe``);
    * text with a birth year (1920–2012), a gender (``k``/``m``/``kvinde``/``mand``) and a target
      group, in that order, separated only by separators (``,``, ``;``, ``|``, tabs, spaces or
      HTML cell boundaries) — a citizen row dumped as text.

Embedded images (``data:…;base64,…`` in HTML, ``image/*`` outputs in notebooks) are not read.
A finding names the file, the line (for notebooks: the cell and the line within it) and what
was found, masked (``CPR-like number 0101…``); it never holds the full value.
"""

from __future__ import annotations

import html
import json
import os
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from so_eval import glossary as g
from so_eval.data import pseudonym as ps

SCANNED_SUFFIXES = frozenset({".html", ".htm", ".ipynb", ".csv", ".tsv", ".json", ".jsonl", ".txt", ".md"})
"""The files :func:`scan` reads; others (images, Parquet) are skipped."""

IDENTIFIER_COLUMNS = frozenset(
    {
        "citizen_id",
        "borger",
        "borger_id",
        "borgerid",
        "cpr",
        "cpr_nr",
        "cprnr",
        "cpr_nummer",
        "cprnummer",
        "personnummer",
        "pseudonym",
        "person_id",
    }
)
STRICT_IDENTIFIER_COLUMNS = frozenset(
    {"citizen_id", "borger_id", "borgerid", "cpr_nr", "cprnr", "cpr_nummer", "cprnummer", "personnummer", "person_id"}
)
"""The identifier names looked for in printed (plain-text) tables, where ordinary words such as
"borger" or "CPR" may also be prose."""
_BIRTH = frozenset({"birth_year", "fødselsår", "foedselsaar", "fodselsar", "født"})
_GENDER = frozenset({"gender", "køn", "koen", "kon", "sex"})
_GROUP = frozenset({"target_group", "målgruppe", "maalgruppe", "malgruppe"})

_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]+")
_TOKEN = re.compile(r"[\w-]+")
_TH = re.compile(r"<th\b[^>]*>(.*?)</th\s*>", re.IGNORECASE | re.DOTALL)
_TABLE = re.compile(r"<table\b.*?</table\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_JSON_KEY = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:')
_groups = "|".join(re.escape(t) for t in sorted(g.TARGET_GROUPS, key=len, reverse=True))
_RECORD = re.compile(
    r"(?<![\w.])(19[2-9]\d|200\d|201[0-2])[\s,;|]+(k|m|kvinde|mand)[\s,;|]+(" + _groups + r")(?!\w)",
    re.IGNORECASE,
)


@dataclass(frozen=True, order=True)
class Finding:
    """Something in an output that must not be published."""

    file: str
    line: int | None
    cell: int | None
    kind: str
    what: str

    @property
    def location(self) -> str:
        parts = []
        if self.cell is not None:
            parts.append(f"cell {self.cell}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        return ", ".join(parts)

    def __str__(self) -> str:
        loc = self.location
        return f"{self.file}{', ' + loc if loc else ''}: {self.what}"


class PublishError(RuntimeError):
    """Raised by :func:`check_publishable`; ``.findings`` lists everything found."""

    def __init__(self, folder: Path, findings: list[Finding]):
        self.folder = folder
        self.findings = findings
        lines = "\n".join(f"  - {f}" for f in findings[:50])
        more = f"\n  … and {len(findings) - 50} more" if len(findings) > 50 else ""
        super().__init__(f"{folder} must not be published: {len(findings)} finding(s):\n{lines}{more}")


# -- helpers ---------------------------------------------------------------------------------


def _norm_name(text: str) -> str:
    s = html.unescape(_TAG.sub("", text)).strip().casefold()
    s = re.sub(r"\s*\(.*?\)\s*", " ", s).strip()
    return re.sub(r"[\s\-]+", "_", s)


class _Lines:
    """Offset → line number for one text."""

    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def __call__(self, pos: int) -> int:
        return bisect_right(self.starts, pos)


def _blank(m: re.Match) -> str:
    return "\n" * m.group(0).count("\n")


def _mask_pseudonym(value: str) -> str:
    return value[: 2 if len(value) > 4 else 1] + "…"


def _header_finding(names: Iterable[str], identifiers=IDENTIFIER_COLUMNS) -> str | None:
    normed = {_norm_name(n) for n in names}
    hit = sorted(normed & identifiers)
    if hit:
        return f"row-level citizen data: a table with the column '{hit[0]}'"
    if normed & _BIRTH and normed & _GENDER and normed & _GROUP:
        return "row-level citizen data: a table with birth year, gender and target group"
    return None


# -- scanning one text -----------------------------------------------------------------------


_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\([/\\\"bfnrt])")
_JSON_SIMPLE = {"/": "/", "\\": "\\", '"': '"', "b": " ", "f": " ", "n": " ", "r": " ", "t": " "}


def _json_unescaped(text: str) -> str:
    """``text`` with JSON string escapes decoded, on the same lines (``\\n`` becomes a space)."""

    def one(m: re.Match) -> str:
        if m.group(1):
            ch = chr(int(m.group(1), 16))
            return ch if ch.isprintable() else " "
        return _JSON_SIMPLE[m.group(2)]

    return _JSON_ESCAPE.sub(one, text) if "\\" in text else text


def _scan_values(text: str, pseudonyms: frozenset[str], emit, *, is_html: bool, is_json: bool = False) -> None:
    """CPR-like numbers, pseudonyms and record-like text (``emit(pos, kind, what)``)."""
    for sp in ps.find_cpr(text):
        emit(sp.start, "cpr", f"CPR-like number {sp.masked}")
    if is_json:
        decoded = _json_unescaped(text)
        if decoded != text:
            lines_decoded = _Lines(decoded)
            for sp in ps.find_cpr(decoded):
                emit(("plain", lines_decoded(sp.start)), "cpr", f"CPR-like number {sp.masked}")
    if pseudonyms:
        for m in _TOKEN.finditer(text):
            token = m.group(0)
            parts = {token} | set(token.split("-"))
            for p in parts & pseudonyms:
                emit(m.start(), "pseudonym", f"citizen pseudonym {_mask_pseudonym(p)}")
    plain = text
    if is_html:
        plain = _TAG.sub(lambda m: "|" + "\n" * m.group(0).count("\n"), text)
        plain = html.unescape(plain) if "&" in plain else plain
    lines_plain = _Lines(plain)
    if is_html:
        for sp in ps.find_cpr(plain):
            emit(("plain", lines_plain(sp.start)), "cpr", f"CPR-like number {sp.masked}")
    for m in _RECORD.finditer(plain):
        emit(
            ("plain", lines_plain(m.start())),
            "row-level",
            "row-level citizen data: birth year, gender and target group of one person",
        )


def scan_text(
    text: str, name: str, *, kind: str = "text", pseudonyms: Iterable[str] = (), cell: int | None = None
) -> list[Finding]:
    """Scan one text; ``kind`` is ``html``, ``csv``, ``tsv``, ``json``, ``plain`` (a printed
    notebook output) or ``text`` (no table structure looked for)."""
    pseud = frozenset(str(p).strip() for p in pseudonyms if str(p).strip())
    text = _DATA_URI.sub(_blank, text)
    lines = _Lines(text)
    found: list[Finding] = []

    def emit(pos, k: str, what: str) -> None:
        line = pos[1] if isinstance(pos, tuple) else lines(pos)
        found.append(Finding(name, line, cell, k, what))

    _scan_values(text, pseud, emit, is_html=kind == "html", is_json=kind == "json")
    if kind == "html":
        for tm in _TABLE.finditer(text):
            heads = list(_TH.finditer(tm.group(0)))
            what = _header_finding(h.group(1) for h in heads)
            if what:
                emit(tm.start() + heads[0].start(), "row-level", what)
    elif kind in ("csv", "tsv"):
        first = text.split("\n", 1)[0]
        sep = "\t" if kind == "tsv" else (";" if first.count(";") > first.count(",") else ",")
        what = _header_finding(c.strip().strip('"') for c in first.split(sep))
        if what:
            emit(0, "row-level", what)
    elif kind == "json":
        for m in _JSON_KEY.finditer(text):
            if _norm_name(m.group(1)) in IDENTIFIER_COLUMNS:
                emit(m.start(), "row-level", f"row-level citizen data: a JSON key '{_norm_name(m.group(1))}'")
    elif kind == "plain":
        head = "\n".join(text.split("\n", 2)[:2])
        what = _header_finding((t for t in re.split(r"\s+", head) if t), STRICT_IDENTIFIER_COLUMNS)
        if what:
            emit(0, "row-level", what)
    return sorted(set(found))


def _scan_notebook(text: str, name: str, pseud: frozenset[str]) -> list[Finding]:
    try:
        nb = json.loads(text)
        cells = nb["cells"]
        if not isinstance(cells, list):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return scan_text(text, name, kind="json", pseudonyms=pseud)
    found: list[Finding] = []

    def joined(x) -> str:
        return "".join(x) if isinstance(x, list) else str(x or "")

    for idx, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            continue
        found += scan_text(joined(cell.get("source")), name, kind="text", pseudonyms=pseud, cell=idx)
        for out in cell.get("outputs", []) or []:
            if not isinstance(out, dict):
                continue
            if "text" in out:
                found += scan_text(joined(out["text"]), name, kind="plain", pseudonyms=pseud, cell=idx)
            if "traceback" in out:
                found += scan_text("\n".join(map(str, out["traceback"])), name, kind="text", pseudonyms=pseud, cell=idx)
            for mime, value in (out.get("data") or {}).items():
                if mime.startswith("image/") and mime != "image/svg+xml":
                    continue
                kind = (
                    "html"
                    if mime == "text/html"
                    else "plain"
                    if mime == "text/plain"
                    else "json"
                    if mime.endswith("json")
                    else "text"
                )
                body = (
                    value
                    if isinstance(value, str)
                    else (joined(value) if isinstance(value, list) else json.dumps(value, indent=1))
                )
                found += scan_text(body, name, kind=kind, pseudonyms=pseud, cell=idx)
    return found


# -- public API ------------------------------------------------------------------------------


def _files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.casefold() in SCANNED_SUFFIXES)
        elif p.is_file():
            out.append(p)
        else:
            raise FileNotFoundError(f"nothing to scan at {p}")
    return out


def scan(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str], *, pseudonyms: Iterable[str] = ()
) -> list[Finding]:
    """Scan output files (or folders, recursively) for CPR numbers, pseudonyms and row-level data.

    Parameters
    ----------
    paths
        Files or folders. In folders, files with the suffixes of :data:`SCANNED_SUFFIXES` are
        read; a file named explicitly is always read.
    pseudonyms
        The citizen IDs of the dataset (e.g. ``ds.citizens["citizen_id"]``).

    Returns
    -------
    list of Finding
        Sorted by file and position; empty if nothing was found.

    Raises
    ------
    FileNotFoundError
        If a path does not exist.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    pseud = frozenset(str(p).strip() for p in pseudonyms if p is not None and str(p).strip())
    findings: list[Finding] = []
    for f in _files(paths):
        text = f.read_bytes().decode("utf-8", errors="replace")
        suffix = f.suffix.casefold()
        shown = str(f)
        if suffix == ".ipynb":
            findings += _scan_notebook(text, shown, pseud)
        else:
            kind = {
                ".html": "html",
                ".htm": "html",
                ".csv": "csv",
                ".tsv": "tsv",
                ".json": "json",
                ".jsonl": "json",
            }.get(suffix, "text")
            findings += scan_text(text, shown, kind=kind, pseudonyms=pseud)
    return sorted(set(findings), key=lambda x: (x.file, x.cell or 0, x.line or 0, x.kind, x.what))


def check_publishable(folder: str | os.PathLike[str], pseudonyms: Iterable[str] = ()) -> list[Path]:
    """Raise :class:`PublishError` if anything in ``folder`` must not be published.

    Returns
    -------
    list of Path
        The files that were scanned (when nothing was found).
    """
    folder = Path(folder)
    findings = scan([folder], pseudonyms=pseudonyms)
    if findings:
        raise PublishError(folder, findings)
    return _files([folder])


__all__ = [
    "IDENTIFIER_COLUMNS",
    "SCANNED_SUFFIXES",
    "STRICT_IDENTIFIER_COLUMNS",
    "Finding",
    "PublishError",
    "check_publishable",
    "scan",
    "scan_text",
]
