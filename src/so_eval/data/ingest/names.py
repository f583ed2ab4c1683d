"""Names: which table a sheet or file name stands for, and which column a header.

Sheet and file names and column headers are compared after normalising them (Unicode NFC,
whitespace, case, a trailing ``*`` or ``:``), also without what is in brackets and with æ, ø
and å spelled out; a header may be the template's Danish header, the column code or the label of
the glossary (:mod:`so_eval.glossary`), and ``cpr``/``CPR-nummer`` means the citizen ID. Also
how values and sizes are shown in messages (:func:`_show`, :func:`_mask_digits`, :func:`_mb`).
"""

from __future__ import annotations

import re
import unicodedata

from so_eval import glossary as g
from so_eval.data import pseudonym as ps
from so_eval.data import template as tpl
from so_eval.data.model import TABLES, WITHDRAWN, stored_columns

NAME_WORDS = frozenset(
    {
        "navn",
        "name",
        "fornavn",
        "efternavn",
        "mellemnavn",
        "borgernavn",
        "kaldenavn",
        "surname",
        "firstname",
        "lastname",
        "fullname",
        "givenname",
    }
)
_CPR_HEADERS = (
    "cpr",
    "cpr-nummer",
    "cpr nummer",
    "cprnummer",
    "cpr-nr",
    "cpr-nr.",
    "cpr nr",
    "cpr nr.",
    "cprnr",
    "cpr_nr",
    "personnummer",
    "borger",
    "borger-id",
    "borger id",
    "borgerid",
    "pseudonym",
)
_SKIP_SHEETS = frozenset({"hjælp", "hjaelp", "help", "vejledning", "lister", "lists"})


def _norm(text: object) -> str:
    s = unicodedata.normalize("NFC", str(text)).replace("\u00a0", " ").replace("\ufeff", "")
    s = re.sub(r"\s+", " ", s).strip().casefold()
    return s.rstrip("*: ").strip()


def _ascii(s: str) -> set[str]:
    return {
        s,
        s.replace("æ", "ae").replace("ø", "oe").replace("å", "aa"),
        s.replace("æ", "ae").replace("ø", "o").replace("å", "a"),
    }


def _variants(text: str) -> set[str]:
    n = _norm(text)
    out = {n, n.replace("_", " "), n.replace("-", " ")}
    short = re.sub(r"\s*\(.*?\)\s*", " ", n).strip()
    if short:
        out |= {short, short.replace("-", " ")}
    return {a for o in out if o for a in _ascii(o)}


def _header_lookup(table: str) -> dict[str, str]:
    lookup: dict[str, str] = {}
    cols = stored_columns(table)
    for col in cols:  # Danish headers and codes first, then looser aliases
        for v in _variants(tpl.header(table, col)) | _variants(col):
            lookup.setdefault(v, col)
    for col in cols:
        label = g.LABELS.get(col)
        if label:
            for v in _variants(label):
                lookup.setdefault(v, col)
    for alias in ("tilbagetrukket", "trukket tilbage (ja/nej)", "withdrawn"):
        for v in _variants(alias):
            lookup.setdefault(v, WITHDRAWN)
    if "citizen_id" in cols:
        for alias in _CPR_HEADERS:
            for v in _variants(alias):
                lookup.setdefault(v, "citizen_id")
    return lookup


_LOOKUPS = {t: _header_lookup(t) for t in TABLES}


def _table_aliases() -> dict[str, str]:
    out: dict[str, str] = {}
    for t in TABLES:
        for name in (t, tpl.sheet_name(t), g.TABLE_LABELS.get(t, "")):
            if name:
                for v in _variants(name):
                    out.setdefault(v, t)
    extra = {
        "aftaler": "agreements",
        "initiativer": "enterprises",
        "jobs": "jobs",
        "status": "status_weekly",
        "status ugentlig": "status_weekly",
    }
    for k, t in extra.items():
        for v in _ascii(k):
            out.setdefault(v, t)
    return out


_TABLE_ALIASES = _table_aliases()


def table_for_name(name: str) -> str | None:
    """The table a sheet or file name (without extension) stands for; ``""`` for the help and
    list sheets; None if unknown.

    >>> table_for_name("Forløb"), table_for_name("courses"), table_for_name("borgere_2024")
    ('courses', 'courses', 'citizens')
    """
    n = _norm(name)
    if n in _SKIP_SHEETS:
        return ""
    if n in _TABLE_ALIASES:
        return _TABLE_ALIASES[n]
    for alias in sorted(_TABLE_ALIASES, key=len, reverse=True):
        if n.startswith(alias) and len(n) > len(alias) and n[len(alias)] in " _-.":
            return _TABLE_ALIASES[alias]
    return None


def _is_name_header(text: str) -> bool:
    n = _norm(text)
    words = set(re.split(r"[^\w]+", n))
    return bool(words & NAME_WORDS) or "navn" in n


def _show(value: object, limit: int = 40) -> str:
    s = str(value)
    s = re.sub(r"[\r\n\t]+", " ", s)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _mask_digits(text: str) -> str:
    """Mask anything CPR-shaped (any spelling, see :func:`so_eval.data.pseudonym.mask_cpr`) in a file
    name or message."""
    return ps.mask_cpr(text)


def _map_header(table: str, text: str) -> str | None:
    """The column code a header stands for in ``table`` (None if unknown)."""
    lookup = _LOOKUPS[table]
    return lookup.get(_norm(text)) or next((lookup[v] for v in sorted(_variants(text)) if v in lookup), None)


def _mb(n: float) -> str:
    """Bytes as Danish megabytes: ``0,4 MB``, ``320 MB``, ``1.024 MB``."""
    mb = n / 2**20
    if mb < 10:
        return f"{mb:.1f} MB".replace(".", ",")
    return f"{mb:,.0f} MB".replace(",", ".")
