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
    different key into the same dataset can be refused. Keys shorter than 16 bytes are refused;
    :func:`write_key` (``so-eval keygen FILE``) writes a random 32-byte key.

CPR numbers are recognised by one detector, :func:`find_cpr`, used by ingest (free-text cells
and every other cell but the citizen ID), by :func:`so_eval.data.loading.validate` and by the
publication guard (:mod:`so_eval.disclosure.guard`). :func:`normalise_cpr` uses the same pattern for the
citizen-ID column, where a cell must be exactly one CPR number with a valid date part (any
spelling; substitute numbers too), a pseudonym (:data:`PSEUDONYM_RE`) or, on ingest, an ID
already in the dataset that is not :func:`cpr_like`; anything else is refused with
:func:`citizen_id_problem`'s reason and never stored.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from so_eval import config

KEY_ENV = "SO_EVAL_PSEUDONYM_KEY"
KEY_FILE_ENV = "SO_EVAL_PSEUDONYM_KEY_FILE"
MIN_KEY_LENGTH = 16
"""The shortest key accepted, in bytes (UTF-8)."""
KEYGEN_BYTES = 32
"""The random bytes in a key written by :func:`write_key` (stored as 64 hex characters)."""

PSEUDONYM_RE = re.compile(r"^P[0-9a-f]{16}$")
"""What :func:`pseudonymise` produces: ``P`` and 16 lowercase hex digits (never CPR-shaped)."""

# -- the CPR pattern (see find_cpr for what it flags and why) ---------------------------------

_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
"""Hyphen, the Unicode hyphens, en dash, em dash, horizontal bar, minus sign, small and
fullwidth hyphen-minus."""
_SPACES = " \u00a0\u202f\u2007\u2009"
"""Space, no-break space, narrow no-break space, figure space, thin space."""
_SEPARATOR = f"(?:[{_SPACES}]?[{_DASHES}/.][{_SPACES}]?|[{_SPACES}])"
_DATE = f"(?:[0-9]{{6}}|[0-9]{{2}}(?P<ds>[{_DASHES}/.{_SPACES}])[0-9]{{2}}(?P=ds)[0-9]{{2}})"
_NUMBER = f"(?P<date>{_DATE}){_SEPARATOR}?(?P<serial>[0-9]{{4}})"
_PREFIX = (
    r"(?P<prefix>(?i:cpr(?:[ ._\-]?(?:nr|nummer))?|personn(?:ummer|r))\.?"
    r"[\s.:#=\-\u2013\u2014]*)"
)
CPR_TEXT_RE = re.compile(rf"(?:{_PREFIX}|(?<!\w)(?<![0-9]\.)){_NUMBER}(?!\w|\.[0-9])")
"""A CPR-shaped number in free text (the date part is checked by :func:`find_cpr`)."""
_CPR_CELL_RE = re.compile(rf"{_NUMBER}")
_CLEAN = str.maketrans("", "", "\ufeff\u200b\u200c\u200d\u2060")


@dataclass(frozen=True)
class CprSpan:
    """Where :func:`find_cpr` found a CPR-shaped number in a text.

    ``start``/``end`` cover the number itself (without a ``CPR:`` prefix); ``digits`` are its
    10 digits; ``prefixed`` says that a ``cpr``/``CPR-nr.`` word stood before it.
    """

    start: int
    end: int
    digits: str
    prefixed: bool

    @property
    def masked(self) -> str:
        """The first four digits and an ellipsis (``0101…``), for messages."""
        return mask(self.digits)


class PseudonymKeyError(ValueError):
    """The pseudonym key is missing, too short, or kept in an unsafe place."""


# -- the key ---------------------------------------------------------------------------------


def _inside_repository(path: Path) -> Path | None:
    """The project or git working tree that ``path`` lies in, or None."""
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
        If no key is set, both variables are set, the key is shorter than
        :data:`MIN_KEY_LENGTH` (16) bytes, or the key file does not exist or lies inside the
        repository (or any git working tree).
    """
    if key is None:
        env = os.environ.get(KEY_ENV, "")
        file = os.environ.get(KEY_FILE_ENV, "")
        if env.strip() and file.strip():
            raise PseudonymKeyError(f"both {KEY_ENV} and {KEY_FILE_ENV} are set; set only one of them")
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
            f"the pseudonym key is too short ({len(raw)} bytes; at least {MIN_KEY_LENGTH} are "
            "needed, since a short key can be guessed and every pseudonym turned back into its CPR "
            "number). Make a random key with `so-eval keygen FILE` (FILE outside the repository) "
            f"and set {KEY_FILE_ENV} to FILE"
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


def write_key(path: str | os.PathLike[str]) -> Path:
    """Write a new random key to ``path``: :data:`KEYGEN_BYTES` (32) bytes from :mod:`secrets`,
    as 64 hex characters and a newline (what :func:`load_key` reads from a key file), mode 600.

    Returns
    -------
    Path
        The key file (absolute).

    Raises
    ------
    PseudonymKeyError
        If ``path`` lies inside the repository (or any git working tree), or a file or folder
        is already there (an existing key is never overwritten: its pseudonyms would be lost).
    """
    full = Path(path).expanduser()
    full = (full if full.is_absolute() else Path.cwd() / full).resolve()
    repo = _inside_repository(full)
    if repo is not None:
        raise PseudonymKeyError(
            f"refusing to write a key to {full}: it lies inside the repository {repo}, where it "
            "could be committed or published. Choose a path outside it (e.g. in your home folder)"
        )
    if full.exists() or full.is_symlink():
        raise PseudonymKeyError(
            f"{full} already exists; a key is never overwritten (the pseudonyms made with it "
            "could no longer be linked). Choose another file name"
        )
    full.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = (secrets.token_hex(KEYGEN_BYTES) + "\n").encode("ascii")
    try:
        fd = os.open(full, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise PseudonymKeyError(f"{full} already exists; a key is never overwritten") from None
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)  # whatever the umask
        os.write(fd, data)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        full.unlink(missing_ok=True)
        raise
    os.close(fd)
    return full


def key_check(key: bytes) -> str:
    """A one-way check value of the key (12 hex digits) to tell keys apart without storing them."""
    return hmac.new(key, b"so-eval pseudonym key check v1", hashlib.sha256).hexdigest()[:12]


# -- CPR numbers -----------------------------------------------------------------------------


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


def _digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", text)


def find_cpr(text: str) -> list[CprSpan]:
    """Every CPR-shaped number in a text: the one detector for ingest, validate and the guard.

    What is flagged
        ``DDMMYY`` and four digits, where ``DDMMYY`` is a valid date (day 1–31, or 61–91 for a
        substitute number, *erstatningspersonnummer*: day + 60; 29 February in any year), in
        any of these spellings:

        * the date part and the four digits together (``0101801234``) or apart by one
          separator: hyphen, en dash, em dash, minus sign (and the other Unicode dashes), slash,
          dot, space, no-break space (U+00A0), narrow no-break space (U+202F), figure or thin
          space; a dash, slash or dot may have one space on each side (``010180 - 1234``);
        * the date part itself written with one of those separators, the same one twice
          (``01.01.80-1234``, ``01 01 80 1234``);
        * after a ``cpr`` word: ``cpr``, ``CPR:``, ``CPR-nr.``, ``cpr.nr.``, ``CPR nr``,
          ``cprnr``, ``CPR-nummer``, ``personnummer``, ``personnr`` (any case, glued to the
          number or followed by spaces, ``:``, ``=``, ``#``, ``.`` or dashes). After such a word
          the date part is *not* checked: ``CPR: 320180-1234`` is someone's CPR number mistyped.
        * anywhere in a longer text (``Borgeren (010180–1234) fik job.``), also inside quotes,
          brackets, after ``=`` or before a comma.

    What is not flagged, and why
        * a number that is part of a longer number: a digit (or a decimal number such as
          ``0.1203801234``) right before it, or a digit or a decimal part (``1203801234.5``)
          right after it. A comma does not protect: in a CSV line ``2,3112031234,5`` it
          separates fields;
        * a number glued to a letter or underscore on either side (hex strings such as SHA-256
          fingerprints ``a3f0101801234b``, codes such as ``B0101801234``), unless the letters
          are one of the ``cpr`` words above;
        * an invalid date part without a ``cpr`` word (``320180-1234``, ``011380-1234``,
          ``300280-1234``): ten digits that cannot be a CPR number;
        * ordinary dates (``2024-01-15``, ``15-01-2024``, ``15.01.2024``), amounts in Danish
          format (``1.234.567 kr.``, ``9.762.000``), phone numbers of 8 digits
          (``58 57 36 00``, ``+45 58 57 36 00``), years and periods (``2019–2024``), since none of
          them has six digits of a date followed by four more;
        * numbers apart by more than one space or by a tab (columns of a printed table).

    Returns
    -------
    list of CprSpan
        In the order found; ``digits`` are the 10 digits, ``start``/``end`` the number's span.

    Examples
    --------
    >>> [s.digits for s in find_cpr("borger 010180 1234, CPR-nr.0202802345 og 2024-01-15")]
    ['0101801234', '0202802345']
    >>> find_cpr("9.762.000 kr., tlf. 58 57 36 00, 3201801234, a3f0101801234b")
    []
    """
    out = []
    for m in CPR_TEXT_RE.finditer(text):
        digits = _digits(m.group("date")) + m.group("serial")
        prefixed = m.group("prefix") is not None
        if prefixed or valid_cpr_date(digits):
            out.append(CprSpan(m.start("date"), m.end(), digits, prefixed))
    return out


def contains_cpr(text: str) -> bool:
    """True if :func:`find_cpr` finds a CPR-shaped number in ``text``."""
    return bool(find_cpr(text))


def mask_cpr(text: str) -> str:
    """``text`` with every CPR-shaped number (:func:`find_cpr`, and any ``6+4`` digits even with
    an invalid date) replaced by its first four digits and an ellipsis (``0101…``)."""
    spans = find_cpr(text)
    for sp in reversed(spans):
        text = text[: sp.start] + sp.masked + text[sp.end :]
    return re.sub(r"(?<![0-9])([0-9]{6})-?([0-9]{4})(?![0-9])", lambda m: mask(m.group(0)), text)


def _clean(value: str) -> str:
    return value.translate(_CLEAN).strip()


def normalise_cpr(value: object) -> str | None:
    """The 10 digits of a citizen-ID cell that is exactly one CPR number, else None.

    Any spelling :func:`find_cpr` knows, without a ``cpr`` word and with a valid date part
    (substitute numbers included): ``"0101801234"``, ``"010180-1234"``, ``"010180 1234"``,
    ``"010180–1234"``, ``"01.01.80-1234"``; also a 9-digit value or integer (a CPR number whose
    leading zero Excel dropped) if it then has a valid date part.

    >>> normalise_cpr("010180-1234"), normalise_cpr("010180\u202f1234"), normalise_cpr(101801234)
    ('0101801234', '0101801234', '0101801234')
    >>> [normalise_cpr(v) for v in ("010180-123", "01018O-1234", "0101801234567", "C17")]
    [None, None, None, None]
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float) and value.is_integer() and value >= 0:
        text = str(int(value))
    elif isinstance(value, str):
        text = _clean(value)
    else:
        return None
    if re.fullmatch(r"[0-9]{9}", text):
        text = "0" + text
    m = _CPR_CELL_RE.fullmatch(text)
    if m is None:
        return None
    digits = _digits(m.group("date")) + m.group("serial")
    return digits if valid_cpr_date(digits) else None


def cpr_like(value: str) -> bool:
    """True if a citizen ID looks like a CPR number, perhaps mistyped, and so must not be kept.

    A CPR-shaped number anywhere in it (:func:`find_cpr`), or a value that, without a ``cpr``
    word and without separators and spaces, starts with a digit and has at least 8 digits and at
    most 2 other characters (``010180-123``, ``01018O-1234``, ``0101801234567``, ``3201801234``).
    Pseudonyms (``P…``) and codes such as ``C17`` or ``B3fa09c1d2b`` are not CPR-like.
    """
    s = _clean(str(value))
    if find_cpr(s):
        return True
    s = re.sub(r"^(?i:cpr(?:[ ._\-]?(?:nr|nummer))?|personn(?:ummer|r))\.?[\s.:#=\-]*", "", s)
    core = re.sub(rf"[\s{_DASHES}/.]", "", s)
    n = len(_digits(core))
    return bool(core) and core[0].isdigit() and n >= 8 and len(core) - n <= 2


def citizen_id_problem(value: str) -> str:
    """Why ``value`` cannot be a citizen ID (for a cell that is neither a CPR number nor a
    pseudonym); the message never repeats the value's digits."""
    s = _clean(str(value))
    digits = _digits(s)
    letters = any(c.isalpha() for c in s)
    if find_cpr(s):
        why = "holds a CPR number among other text; write only the CPR number"
    elif not digits:
        why = "is text, not a CPR number (names and other text are never stored in the citizen-ID column)"
    elif letters and cpr_like(s):
        why = "mixes letters into the digits of a CPR number (an O for a 0, an l for a 1?)"
    elif not letters and len(digits) == 10 and valid_cpr_date(digits):
        why = "is written with other characters than a CPR number (DDMMYY-SSSS)"
    elif not letters and len(digits) == 10:
        why = (
            "does not start with a valid date (DDMMYY, or day + 60 for a substitute number), so it is not a CPR number"
        )
    elif not letters:
        why = f"has {len(digits)} digits; a CPR number has 10 (DDMMYY-SSSS)"
    else:
        why = "is neither a CPR number nor a pseudonym"
    return (
        f"the citizen ID {why}. Write the citizen's CPR number (DDMMYY-SSSS) or a pseudonym "
        "already in the dataset; the value was not stored"
    )


def mask(value: str, keep: int = 4) -> str:
    """Show only the first ``keep`` characters: ``"0101…"``."""
    return f"{value[:keep]}…"


def pseudonymise(cpr: str, key: bytes) -> str:
    """The pseudonym of a CPR number: ``"P"`` + first 16 hex digits of HMAC-SHA256(key, CPR).

    ``cpr`` may be written in any spelling :func:`normalise_cpr` accepts (with or without the
    hyphen, a space, a dash …); all give the pseudonym of its 10 digits.

    Raises
    ------
    ValueError
        If ``cpr`` is not a CPR number.
    """
    digits = normalise_cpr(cpr)
    if digits is None:
        raise ValueError("not a CPR number")
    return "P" + hmac.new(key, digits.encode("ascii"), hashlib.sha256).hexdigest()[:16]


def is_pseudonym(value: object) -> bool:
    """True if ``value`` has the form of a pseudonym made by :func:`pseudonymise`."""
    return isinstance(value, str) and bool(PSEUDONYM_RE.match(value))
