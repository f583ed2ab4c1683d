"""Cell values: dates, numbers, yes/no, categories and lists normalised to the dataset's CSV form,
and CPR numbers replaced by pseudonyms.

:class:`_Normaliser` reads a column at a time (each distinct value once): a date becomes an ISO
date, a number uses ``.`` as decimal point, yes/no becomes ``true``/``false``, a category its
code, a list ``;``-separated codes; a value that cannot be read raises :class:`_Bad` with a
message for the user. In the citizen-ID column a CPR number becomes its pseudonym; a CPR-shaped
number in any other cell is refused (:func:`_cpr_in_cell`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from so_eval import glossary as g
from so_eval.data import pseudonym as ps
from so_eval.data import template as tpl
from so_eval.data.ingest.names import _ascii, _norm, _show
from so_eval.data.model import TABLES, stored_columns

_TRUE = frozenset({"ja", "j", "true", "sand", "yes", "y", "1", "x"})
_FALSE = frozenset({"nej", "n", "false", "falsk", "no", "0"})
_MAX_INT = 10**15


def _is_empty(v: object) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    if isinstance(v, str):
        return not v.strip().replace("\u00a0", "").replace("\ufeff", "").replace("\u200b", "")
    return False


class _Bad(Exception):
    """A value that cannot be normalised; the message is for the user."""


_DMY = re.compile(r"^(\d{1,2})[-./](\d{1,2})[-./](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")


def _date(v: object) -> str:
    if isinstance(v, (pd.Timestamp, dt.datetime, dt.date, np.datetime64)):
        try:
            d = pd.Timestamp(v)
        except (ValueError, OverflowError):
            raise _Bad(f"'{_show(v)}' is not a valid date") from None
        if d is pd.NaT or not 1900 <= d.year <= 2100:
            raise _Bad(f"'{_show(v)}' has a year outside 1900–2100")
        return d.date().isoformat()
    if isinstance(v, (bool, np.bool_, int, float, np.integer, np.floating)):
        raise _Bad(f"{_show(v)} is a number, not a date; write the date as dd-mm-yyyy, e.g. 31-12-2024")
    if isinstance(v, (dt.time, dt.timedelta)):
        raise _Bad(f"'{_show(v)}' is a time, not a date; write the date as dd-mm-yyyy")
    s = _text(v)
    m = _DMY.match(s)
    if m:
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = _YMD.match(s)
        if not m:
            raise _Bad(f"'{_show(s)}' is not a date; write it as dd-mm-yyyy, e.g. 31-12-2024")
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        d = dt.date(year, month, day)
    except ValueError:
        raise _Bad(f"'{_show(s)}' is not a valid date (no such day)") from None
    if not 1900 <= d.year <= 2100:
        raise _Bad(f"'{_show(s)}' has a year outside 1900–2100")
    return d.isoformat()


def _text(v: object) -> str:
    if isinstance(v, str):
        s = v.replace("\u00a0", " ").replace("\ufeff", "").replace("\u200b", "")
        return unicodedata.normalize("NFC", s).strip()
    if isinstance(v, (bool, np.bool_)):
        raise _Bad(f"'{v}' is a yes/no value; text was expected")
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if math.isfinite(f) and f.is_integer() and abs(f) < _MAX_INT:
            return str(int(f))
        return repr(f)
    if isinstance(v, (pd.Timestamp, dt.datetime, dt.date)):
        try:
            shown = pd.Timestamp(v).strftime("%d-%m-%Y")
        except (ValueError, OverflowError):
            shown = str(v)
        raise _Bad(f"Excel turned this value into a date ({shown}); format the column as text and type the value again")
    if isinstance(v, (dt.time, dt.timedelta)):
        raise _Bad(f"'{_show(v)}' is a time; text was expected")
    return str(v).strip()


def _bool(v: object) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, float, np.integer, np.floating)) and v in (0, 1):
        return "true" if v == 1 else "false"
    s = _text(v).casefold()
    if s in _TRUE:
        return "true"
    if s in _FALSE:
        return "false"
    raise _Bad(f"'{_show(s)}' is not ja or nej")


def _int(v: object) -> str:
    if isinstance(v, (bool, np.bool_)):
        raise _Bad(f"'{v}' is a yes/no value; a whole number was expected")
    if isinstance(v, (int, np.integer)):
        n = int(v)
    elif isinstance(v, (float, np.floating)):
        f = float(v)
        if not math.isfinite(f) or not f.is_integer():
            raise _Bad(f"'{_show(v)}' is not a whole number")
        if abs(f) >= _MAX_INT:
            raise _Bad(f"'{_show(v)}' is too large")
        n = int(f)
    else:
        s = re.sub(r"[ \u00a0]", "", _text(v))
        if re.fullmatch(r"[+-]?\d+", s):
            n = int(s) if len(s) < 20 else _MAX_INT
        elif re.fullmatch(r"[+-]?\d+[.,]0+", s):
            n = int(s.replace(",", ".").split(".")[0])
        elif re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+", s):
            n = int(s.replace(".", ""))
        else:
            raise _Bad(f"'{_show(s)}' is not a whole number")
    if abs(n) >= _MAX_INT:
        raise _Bad(f"'{_show(v)}' is too large")
    return str(n)


def _float(v: object) -> str:
    if isinstance(v, (bool, np.bool_)):
        raise _Bad(f"'{v}' is a yes/no value; a number was expected")
    if isinstance(v, (int, np.integer, float, np.floating)):
        f = float(v)
    else:
        s = re.sub(r"[ \u00a0]", "", _text(v))
        if re.fullmatch(r"[+-]?\d+", s):
            f = float(s)
        elif re.fullmatch(r"[+-]?\d+,\d+", s):
            f = float(s.replace(",", "."))
        elif re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+,\d+", s):
            f = float(s.replace(".", "").replace(",", "."))
        elif re.fullmatch(r"[+-]?[1-9]\d{0,2}(\.\d{3})+", s):
            whole = s.replace(".", "")
            raise _Bad(
                f"'{s}' is ambiguous: write {whole} (without a thousands point) or "
                f"{s.replace('.', ',')} (with a decimal comma)"
            )
        elif re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", s):
            f = float(s)
        else:
            raise _Bad(f"'{_show(s)}' is not a number (e.g. 12,5)")
    if not math.isfinite(f):
        raise _Bad(f"'{_show(v)}' is not a finite number")
    return repr(f)


def _category_map(allowed: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for code in allowed:
        for name in (code, g.category_label(code)):
            for v in _ascii(_norm(name)):
                out.setdefault(v, code)
    return out


@dataclass
class _ColumnRule:
    kind: str
    categories: dict[str, str] | None = None
    allowed: tuple[str, ...] = ()


def _rules(table: str) -> dict[str, _ColumnRule]:
    out = {}
    for col in stored_columns(table):
        kind = tpl.column_kind(table, col)
        allowed = tpl.allowed_values(table, col)
        out[col] = _ColumnRule(kind, _category_map(allowed) if allowed else None, allowed or ())
    return out


_RULES = {t: _rules(t) for t in TABLES}


def _normalise_value(v: object, rule: _ColumnRule) -> str | None:
    if _is_empty(v):
        return None
    kind = rule.kind
    if kind == "date":
        return _date(v)
    if kind == "bool":
        return _bool(v)
    if kind == "int":
        return _int(v)
    if kind == "float":
        return _float(v)
    s = _text(v)
    if not s:
        return None
    if kind == "list":
        items = [i.strip() for i in re.split(r"[;,]", s) if i.strip()]
        if rule.categories is not None:
            unknown = [i for i in items if _norm(i) not in rule.categories]
            if unknown:
                raise _Bad(
                    f"unknown value(s) {', '.join(repr(_show(u)) for u in unknown)} "
                    f"(allowed, separated by ';': {', '.join(rule.allowed)})"
                )
            items = [rule.categories[_norm(i)] for i in items]
        return ";".join(items) or None
    if rule.categories is not None:
        if _norm(s) not in rule.categories:
            raise _Bad(f"unknown value '{_show(s)}' (allowed: {', '.join(rule.allowed)})")
        return rule.categories[_norm(s)]
    return s


class _Normaliser:
    """Normalises values column by column (each distinct value once) and pseudonymises CPRs.

    ``known`` are the citizen IDs already in the dataset: such an ID is kept as it is (a dataset
    made by ``so-eval demo`` or by hand, with IDs like ``C17``), unless it looks like a CPR
    number (:func:`so_eval.data.pseudonym.cpr_like`).
    """

    def __init__(self, key: bytes | None, known: Iterable[str] = ()):
        self.key = key
        self.known = frozenset(known)
        self.masks: dict[str, str] = {}  # pseudonym -> masked CPR (for messages)
        self.pseudonymised = 0

    def citizen(self, v: object) -> str | None:
        """A citizen-ID cell: a CPR number becomes its pseudonym; a pseudonym (``P`` and 16 hex
        digits) or an ID already in the dataset is kept; anything else is refused."""
        if _is_empty(v):
            return None
        digits = ps.normalise_cpr(v)
        if digits is not None and self.key is not None:
            p = ps.pseudonymise(digits, self.key)
            self.masks[p] = ps.mask(digits)
            return p
        s = _text(v)
        if not s:
            return None
        if ps.is_pseudonym(s) or (s in self.known and not ps.cpr_like(s)):
            return s
        raise _Bad(ps.citizen_id_problem(s))

    def column(self, values: pd.Series, table: str, col: str, *, pseudonymise: bool):
        """(normalised values, {position: message})."""
        rule = _RULES[table][col]
        fast = values.dtype != object
        if fast and rule.kind == "date" and pd.api.types.is_datetime64_any_dtype(values):
            out = values.dt.strftime("%Y-%m-%d")
            out = out.astype(object).where(values.notna(), None)
            bad = values.notna() & ((values.dt.year < 1900) | (values.dt.year > 2100))
            errors = {
                int(i): f"'{values.iloc[i]}' has a year outside 1900–2100" for i in np.flatnonzero(bad.to_numpy())
            }
            return out.to_numpy(dtype=object), errors
        is_citizen = col == "citizen_id" and pseudonymise
        if fast:  # typed values (Parquet, CSV read as text): each distinct value once, vectorised
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
            results = [self._one(u, rule, col, is_citizen) for u in list(uniques)]
            table_ = np.array([r[0] for r in results] + [None], dtype=object)
            out = table_[codes]
            errors = {}
            bad = [k for k, r in enumerate(results) if r[1] is not None]
            if bad:
                for i in np.flatnonzero(np.isin(codes, bad)):
                    errors[int(i)] = results[codes[i]][1]
            cpr = [k for k, r in enumerate(results) if r[2]]
            if cpr:
                self.pseudonymised += int(np.isin(codes, cpr).sum())
            return out, errors
        arr = values.to_numpy(dtype=object)
        out = np.empty(len(arr), dtype=object)
        errors: dict[int, str] = {}
        cache: dict[tuple, tuple[str | None, str | None, bool]] = {}
        for i, v in enumerate(arr):
            try:  # (type, value): True, 1 and 1.0 are equal but not the same input
                ck = (type(v), v)
                hash(ck)
            except TypeError:
                ck = None
            hit = cache.get(ck) if ck is not None else None
            if hit is None:
                hit = self._one(v, rule, col, is_citizen)
                if ck is not None:
                    cache[ck] = hit
            out[i] = hit[0]
            if hit[1] is not None:
                errors[i] = hit[1]
            if hit[2]:
                self.pseudonymised += 1
        return out, errors

    def _one(self, v: object, rule: _ColumnRule, col: str, is_citizen: bool):
        """(normalised value, message or None, was a CPR number) for one distinct value.

        Outside the citizen-ID column a cell holding a CPR-shaped number
        (:func:`so_eval.data.pseudonym.find_cpr`) is refused, whatever the column's kind, before it
        is read as a category, number or date; so is a number cell in a text column that is a
        CPR number with the leading zero dropped.
        """
        if col != "citizen_id":
            found = _cpr_in_cell(v, rule)
            if found:
                return (
                    None,
                    (
                        f"looks like a CPR number ({found}); CPR numbers belong only in "
                        f"the column '{tpl.CITIZEN_HEADER}', where they are replaced by a "
                        "pseudonym"
                    ),
                    False,
                )
        try:
            res = self.citizen(v) if is_citizen else _normalise_value(v, rule)
        except _Bad as exc:
            return None, str(exc), False
        was_cpr = is_citizen and res is not None and res in self.masks
        if res is not None and col != "citizen_id" and rule.kind in ("text", "list"):
            spans = ps.find_cpr(res)
            if spans:
                return (
                    None,
                    (
                        f"looks like a CPR number ({spans[0].masked}); CPR numbers belong "
                        f"only in the column '{tpl.CITIZEN_HEADER}'"
                    ),
                    False,
                )
        return res, None, was_cpr


def _cpr_in_cell(v: object, rule: _ColumnRule) -> str | None:
    """The masked CPR number in a cell outside the citizen-ID column, or None."""
    if isinstance(v, str):
        spans = ps.find_cpr(v.translate(_INVISIBLE))
        return spans[0].masked if spans else None
    if (
        rule.kind in ("text", "list")
        and isinstance(v, (int, float, np.integer, np.floating))
        and not isinstance(v, (bool, np.bool_))
    ):
        f = float(v)
        if math.isfinite(f) and f.is_integer() and 10**8 <= f < 10**10:
            digits = ps.normalise_cpr(int(f))
            return ps.mask(digits) if digits else None
    return None


_INVISIBLE = str.maketrans("", "", "\ufeff\u200b\u200c\u200d\u2060\u00ad")


def _known_citizens(into: Path) -> set[str]:
    """The citizen IDs already in the dataset at ``into`` (none if it has no citizens table)."""
    path = into / TABLES["citizens"].filename
    if not path.is_file():
        return set()
    try:
        ids = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8", usecols=["citizen_id"])[
            "citizen_id"
        ]
    except Exception:  # noqa: BLE001 - unreadable: reported when the dataset is read
        return set()
    return {v.strip() for v in ids if v.strip()}
