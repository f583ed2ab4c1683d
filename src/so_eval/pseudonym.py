"""Pseudonyms for citizens: CPR numbers are replaced by a keyed hash before anything is stored.

A CPR number (Danish national identity number, ``DDMMYY-SSSS``) never enters a dataset. On
ingest each one is replaced by ``"P" + the first 16 hex digits of HMAC-SHA256(key, CPR)``, e.g.
``P3fa09c1d2b7e4a61``. The same CPR number and key always give the same pseudonym, so rows from
different files and different years link up; without the key the pseudonym cannot be turned back
into the CPR number (the key is what stops anyone from hashing all possible CPR numbers).

The key
    Read from the environment variable ``SO_EVAL_PSEUDONYM_KEY`` or from the file named by
    ``SO_EVAL_PSEUDONYM_KEY_FILE``. A key file must lie outside the project (and outside any git
    working tree), so it cannot be committed by accident. The key itself is never written
    anywhere; only :func:`key_check`, a one-way check value, is logged, so that an ingest with a
    different key into the same dataset can be refused. Keys shorter than 8 characters are
    refused.

Two ways of recognising a CPR number are used:

* :func:`normalise_cpr` — *for the citizen-ID column* on ingest: any value of 10 digits
  (optionally ``DDMMYY-SSSS`` or ``DDMMYY SSSS``) is treated as a CPR number, and so is a 9-digit
  number (Excel drops the leading zero of ``0101801234`` in a cell formatted as a number). Better
  to hash an odd internal number than to store a real CPR number in clear text.
* :func:`find_cpr` — *in free text* (other columns, published outputs): a stricter pattern that
  also requires a valid day and month (day 61–91 allowed: substitute CPR numbers add 60 to the day)
  and that the number is not part of a longer number, word, hex string or decimal number.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import os
import re
from pathlib import Path

KEY_ENV = "SO_EVAL_PSEUDONYM_KEY"
KEY_FILE_ENV = "SO_EVAL_PSEUDONYM_KEY_FILE"
MIN_KEY_LENGTH = 8

PSEUDONYM_RE = re.compile(r"^P[0-9a-f]{16}$")
"""What :func:`pseudonymise` produces: ``P`` and 16 lowercase hex digits (never CPR-shaped)."""

_CPR_FIELD_RE = re.compile(r"^(\d{6})[- ]?(\d{4})$")

# in free text: 6 digits, optional hyphen, 4 digits; not glued to letters or digits (a longer
# number, a word, a hex string such as a SHA-256), not after a decimal point and not followed
# by a decimal part
CPR_TEXT_RE = re.compile(r"(?<![\w.])(\d{6})-?(\d{4})(?!\w|[.,]\d)")


class PseudonymKeyError(ValueError):
    """The pseudonym key is missing, too short, or kept in an unsafe place."""


# -- the key ---------------------------------------------------------------------------------


def _inside_repository(path: Path) -> Path | None:
    """The project or git working tree that ``path`` lies in, or None."""
    from so_eval import config

    roots = []
    root = config.PROJ_ROOT
    if (root / "pyproject.toml").exists() or (root / ".git").exists():
        roots.append(root.resolve())
    for parent in path.parents:
        if (parent / ".git").exists():
            roots.append(parent.resolve())
            break
    for r in roots:
        if path == r or path.is_relative_to(r):
            return r
    return None


def load_key(key: str | bytes | None = None) -> bytes:
    """Return the pseudonym key as bytes.

    Parameters
    ----------
    key
        The key itself (mainly for tests and programs that fetch it from a vault). If None, the
        key is read from ``SO_EVAL_PSEUDONYM_KEY`` or from the file named by
        ``SO_EVAL_PSEUDONYM_KEY_FILE`` (surrounding whitespace and the final newline removed).

    Returns
    -------
    bytes

    Raises
    ------
    PseudonymKeyError
        If no key is set, both variables are set, the key is shorter than 8 characters, or the
        key file does not exist or lies inside the repository (or any git working tree).
    """
    if key is None:
        env = os.environ.get(KEY_ENV, "")
        file = os.environ.get(KEY_FILE_ENV, "")
        if env.strip() and file.strip():
            raise PseudonymKeyError(
                f"both {KEY_ENV} and {KEY_FILE_ENV} are set; set only one of them"
            )
        if env.strip():
            key = env.strip()
        elif file.strip():
            key = _read_key_file(Path(file.strip()))
        else:
            raise PseudonymKeyError(
                f"no pseudonym key: set the environment variable {KEY_ENV} to a secret key, or "
                f"{KEY_FILE_ENV} to a file holding it (outside the repository). Use the same key "
                "for every ingest, so that a citizen keeps the same pseudonym."
            )
    raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if len(raw) < MIN_KEY_LENGTH:
        raise PseudonymKeyError(
            f"the pseudonym key is too short (at least {MIN_KEY_LENGTH} characters; "
            "a long random key is best)"
        )
    return raw


def _read_key_file(path: Path) -> bytes:
    full = path.expanduser()
    full = (full if full.is_absolute() else Path.cwd() / full).resolve()
    repo = _inside_repository(full)
    if repo is not None:
        raise PseudonymKeyError(
            f"refusing the key file {full}: it lies inside the repository {repo}, where it could be "
            f"committed or published. Move it outside (e.g. to your home folder) and point "
            f"{KEY_FILE_ENV} to it"
        )
    if not full.is_file():
        raise PseudonymKeyError(f"the key file {full} (from {KEY_FILE_ENV}) does not exist")
    try:
        data = full.read_bytes().strip()
    except OSError as exc:
        raise PseudonymKeyError(f"the key file {full} could not be read: {exc.strerror}") from None
    if not data:
        raise PseudonymKeyError(f"the key file {full} is empty")
    return data


def key_check(key: bytes) -> str:
    """A one-way check value of the key (12 hex digits) to tell keys apart without storing them."""
    return hmac.new(key, b"so-eval pseudonym key check v1", hashlib.sha256).hexdigest()[:12]


# -- CPR numbers -----------------------------------------------------------------------------


def normalise_cpr(value: object) -> str | None:
    """The 10 digits of a CPR-shaped citizen ID, or None if ``value`` is not CPR-shaped.

    Accepts ``"0101801234"``, ``"010180-1234"``, ``"010180 1234"``, and a 9-digit value or
    integer (a CPR number whose leading zero Excel dropped).

    >>> normalise_cpr("010180-1234")
    '0101801234'
    >>> normalise_cpr(101801234)
    '0101801234'
    >>> normalise_cpr("C17") is None
    True
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float) and value.is_integer() and value >= 0:
        text = str(int(value))
    elif isinstance(value, str):
        text = value.strip()
    else:
        return None
    if text.isdigit() and len(text) == 9:
        text = "0" + text
    m = _CPR_FIELD_RE.match(text)
    return m.group(1) + m.group(2) if m else None


def valid_cpr_date(digits: str) -> bool:
    """True if the first 6 of ``digits`` are a valid DDMMYY (day + 60 allowed for substitutes)."""
    day, month, year = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    if day > 60:
        day -= 60
    if not 1 <= month <= 12 or day < 1:
        return False
    # the century is not known here; 29 February is allowed for years that can be leap years
    leap = calendar.isleap(2000 + year) or calendar.isleap(1900 + year)
    limit = 29 if (month == 2 and leap) else calendar.monthrange(2001, month)[1]
    return day <= limit


def find_cpr(text: str) -> list[re.Match]:
    """CPR-like numbers in free text (strict: valid day and month, not part of a longer token).

    >>> [m.group(0) for m in find_cpr("borger 010180-1234 og 2024-01-15, 9.762.000, 3201801234")]
    ['010180-1234']
    """
    return [m for m in CPR_TEXT_RE.finditer(text) if valid_cpr_date(m.group(1))]


def mask(value: str, keep: int = 4) -> str:
    """Show only the first ``keep`` characters: ``"0101…"``."""
    return f"{value[:keep]}…"


def pseudonymise(cpr: str, key: bytes) -> str:
    """The pseudonym of a CPR number: ``"P"`` + first 16 hex digits of HMAC-SHA256(key, CPR).

    ``cpr`` may be written with or without the hyphen; both give the same pseudonym.

    Raises
    ------
    ValueError
        If ``cpr`` is not CPR-shaped.
    """
    digits = normalise_cpr(cpr)
    if digits is None:
        raise ValueError("not a CPR number")
    return "P" + hmac.new(key, digits.encode("ascii"), hashlib.sha256).hexdigest()[:16]


def is_pseudonym(value: object) -> bool:
    """True if ``value`` has the form of a pseudonym made by :func:`pseudonymise`."""
    return isinstance(value, str) and bool(PSEUDONYM_RE.match(value))
