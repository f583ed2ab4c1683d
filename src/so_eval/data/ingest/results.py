"""What an ingest reports: its problems, conflicts, changes and counts.

:class:`IngestProblem` locates one problem as the user sees it; :class:`IngestError` (nothing was
ingested) lists them all; a successful ingest returns an :class:`IngestReport` with the
:class:`TableCounts` per table and per file (:class:`FileReport`), the :class:`Conflict` rows not
applied and the :class:`Change` rows written with ``update``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from so_eval.data import template as tpl
from so_eval.data.ingest.names import _show
from so_eval.data.model import TABLES


@dataclass(frozen=True, order=True)
class IngestProblem:
    """One problem with the input, located as the user sees it (row 1 = the header row)."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}"


class IngestError(ValueError):
    """Nothing was ingested; ``.problems`` lists every problem (``.warnings`` the warnings)."""

    def __init__(
        self,
        problems: list[IngestProblem],
        warnings: list[IngestProblem] | None = None,
        conflicts: list[Conflict] | None = None,
    ):
        self.problems = list(problems)
        self.warnings = list(warnings or [])
        self.conflicts = list(conflicts or [])
        lines = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = f"\n  … and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        also = (
            f"\n(also {len(self.conflicts)} row(s) conflict with the dataset and would not be applied: see .conflicts)"
            if self.conflicts
            else ""
        )
        super().__init__(f"nothing was ingested: {len(self.problems)} problem(s):\n{lines}{more}{also}")


@dataclass
class TableCounts:
    """Rows of one table in one ingest.

    ``read``: data rows read (empty rows not counted); ``added``: rows with a new key written;
    ``updated``: new versions of existing rows written (with ``update``; withdrawals included);
    ``unchanged``: identical to a row already in the dataset or earlier in this ingest;
    ``conflicting``: same key as an existing row but other content; ``rejected``: rows not
    applied (the conflicting ones — a file with invalid rows is rejected as a whole instead,
    with :class:`IngestError`).
    """

    read: int = 0
    added: int = 0
    unchanged: int = 0
    conflicting: int = 0
    rejected: int = 0
    updated: int = 0

    _FIELDS = ("read", "added", "updated", "unchanged", "conflicting", "rejected")

    def add(self, other: TableCounts) -> None:
        for f in self._FIELDS:
            setattr(self, f, getattr(self, f) + getattr(other, f))

    def as_dict(self) -> dict[str, int]:
        return {f: getattr(self, f) for f in self._FIELDS}


def _shown_value(v: object) -> str:
    return "(empty)" if v is None else f"'{_show(v)}'"


def _changes_text(changes: tuple[tuple[str, object, object], ...]) -> str:
    return "; ".join(f"{h}: {_shown_value(old)} → {_shown_value(new)}" for h, old, new in changes)


@dataclass(frozen=True)
class Conflict:
    """An incoming row whose key exists with other content; it was not applied."""

    table: str
    file: str
    sheet: str | None
    row: int
    key: str
    columns: tuple[str, ...]
    existing_row: int
    changes: tuple[tuple[str, object, object], ...] = ()
    """(header, stored value, value in this row) per differing column (citizen IDs as pseudonyms)."""
    only_registered: bool = False

    def __str__(self) -> str:
        where = [self.file] + ([f"sheet '{self.sheet}'"] if self.sheet else []) + [f"row {self.row}"]
        shown = f" ({_changes_text(self.changes)})" if self.changes else ""
        hint = (
            "a registration date is never changed"
            if self.only_registered
            else "to record this row as a new version of it, ingest with --update"
        )
        return (
            f"{', '.join(where)}: {self.key} already exists in the dataset "
            f"({TABLES[self.table].filename} row {self.existing_row}) with another "
            f"{', '.join(repr(c) for c in self.columns)}{shown}; the existing row was kept and this "
            f"row was not applied ({hint})"
        )


@dataclass(frozen=True)
class Change:
    """A new version of an existing row, written with ``update`` (a correction or a withdrawal)."""

    table: str
    file: str
    sheet: str | None
    row: int
    key: str
    """The row's key in words (citizen IDs as pseudonyms, never CPR numbers)."""
    key_values: dict
    replaces: str
    """The registration date of the version it replaces."""
    registered: str
    withdrawn: bool
    changes: tuple[tuple[str, object, object], ...]
    """(header, old value, new value) per changed column."""
    codes: tuple[str, ...] = ()
    """The column codes of ``changes``."""

    def __str__(self) -> str:
        where = [self.file] + ([f"sheet '{self.sheet}'"] if self.sheet else []) + [f"row {self.row}"]
        what = "withdrawn" if self.withdrawn else _changes_text(self.changes)
        return (
            f"{', '.join(where)}: {self.key}: {what} (a new version registered {self.registered}; "
            f"the version registered {self.replaces} is kept)"
        )

    def as_log(self) -> dict:
        return {
            "table": self.table,
            "key": self.key_values,
            "registered": self.registered,
            "replaces": self.replaces,
            "withdrawn": self.withdrawn,
            "changes": {c: [old, new] for c, (_, old, new) in zip(self.codes, self.changes, strict=True)},
        }


@dataclass
class FileReport:
    """What one input file contributed."""

    file: str
    sha256: str
    tables: dict[str, TableCounts] = field(default_factory=dict)
    already_ingested: bool = False
    read_as: tuple[str, ...] = ()
    """How the file was read (a CSV file's encoding and separator; the table, where its name
    did not say it)."""


@dataclass
class IngestReport:
    """The outcome of a successful :func:`ingest`."""

    into: Path
    time: str
    files: list[FileReport]
    tables: dict[str, TableCounts]
    conflicts: list[Conflict]
    warnings: list[IngestProblem]
    log_entry: dict
    changes: list[Change] = field(default_factory=list)
    """The new versions written (with ``update``)."""

    @property
    def added(self) -> int:
        return sum(c.added for c in self.tables.values())

    @property
    def updated(self) -> int:
        return sum(c.updated for c in self.tables.values())

    @property
    def unchanged(self) -> int:
        return sum(c.unchanged for c in self.tables.values())

    @property
    def conflicting(self) -> int:
        return sum(c.conflicting for c in self.tables.values())

    @property
    def no_op(self) -> bool:
        """True if the dataset's tables did not change (only the log line was added)."""
        return self.added == 0 and self.updated == 0

    def summary(self) -> str:
        """A few lines for the command line."""
        lines = [f"Ingested into {self.into}:" if not self.no_op else f"Nothing new for {self.into}:"]
        for name, c in self.tables.items():
            lines.append(
                f"  {tpl.sheet_name(name):<18} {c.read:>6} read, {c.added:>6} added, "
                + (f"{c.updated:>6} updated, " if self.updated else "")
                + f"{c.unchanged:>6} unchanged, {c.conflicting:>6} conflicting"
            )
        for f in self.files:
            if f.read_as:
                lines.append(f"  read: {f.file}: {'; '.join(f.read_as)}")
            if f.already_ingested:
                lines.append(f"  note: {f.file} was ingested before (same SHA-256)")
        for w in self.warnings:
            lines.append(f"  warning: {w}")
        for ch in self.changes:
            lines.append(f"  updated: {ch}")
        for cf in self.conflicts:
            lines.append(f"  conflict: {cf}")
        return "\n".join(lines)
