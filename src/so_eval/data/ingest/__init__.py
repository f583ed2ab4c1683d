"""Ingest filled-in workbooks and CSV/Parquet exports into a dataset folder, safely.

``ingest(files, into)`` reads the files, maps the Danish headers back to the model's columns,
normalises every value to the dataset's CSV form (ISO dates, ``.`` decimals, ``true``/``false``,
``;``-separated lists), replaces every CPR number by a pseudonym (:mod:`so_eval.data.pseudonym`),
merges the rows with the dataset already in ``into`` and checks the merged result with exactly
the rules of :func:`so_eval.data.loading.validate`. Only then is the dataset replaced.

Rules
-----
* **What is read.** A workbook (``.xlsx``): every sheet named like a sheet of the template
  (:data:`so_eval.data.template.SHEETS`; the English table code, e.g. ``courses``, works too); the
  help and list sheets are skipped; a missing sheet is simply a table without new rows; another
  sheet holding data is an error (it may be a renamed table) — unless it is the workbook's only
  sheet with data, which is then matched by its headers like a CSV file. A CSV (``.csv``) or
  Parquet (``.parquet``) file: the file name decides the table (``forløb.csv``, ``courses.csv``,
  ``borgere-2024.csv``); if it does not name one (``jobcenter_export.csv``), the header row does:
  the one table whose required columns are all there and that the most headers belong to (a tie
  or no fit is an error naming the candidates). ``table=`` (``--table``) gives the table of
  every file instead. CSV files are UTF-8 (with or without BOM), UTF-16 with BOM, or
  Windows-1252 (Danish Excel's "CSV (semikolonsepareret)"): valid UTF-8 is read as UTF-8,
  anything else as Windows-1252, and text garbled by a double conversion (``Ã¸``) is refused.
  They are separated by ``;``, ``,`` or tab. The summary says how each file was read. Headers
  may be the template's Danish headers or the column codes; ``cpr``/``CPR-nummer`` means the
  citizen ID. Row 1 is the header.
* **Bad files cost little.** Workbooks are read in streaming (read-only) mode. Before anything
  is loaded, the zip directory's unpacked sizes are checked (a sheet at most 256 MB, any other
  XML part 64 MB, all XML parts together 512 MB); each sheet's XML is then streamed once, stopping past
  the limit whatever the directory claims, to find its last row with a value, its number of
  filled cells (at most 3 mio.) and its merged cells; only the rows up to the last value are
  parsed, so formatted empty rows below the data cost only that one pass. A CSV file may be at
  most 512 MB.
* **Values.** Dates ``31-12-2024``, ``31.12.2024``, ``31/12/2024``, ``2024-12-31`` or a date
  cell; numbers ``12,5``, ``12.5``, ``1.234,5`` or a number cell (``1.500`` is refused as
  ambiguous); yes/no as ``ja``/``nej`` (also true/false, 1/0, x); categories case-insensitive,
  also by their Danish label (``Kvinde`` → ``k``). Empty rows are skipped; surrounding
  whitespace is removed. An empty ``Registreringsdato`` becomes the day of the ingest (and is
  not compared when a row is re-ingested); a report made ``as_of`` an earlier day does not count
  such a row, says in its method section how many rows were registered after its ``as_of``, and
  stops with a message naming the table and the date if a table it needs is then empty.
* **CPR numbers** in the citizen-ID column become pseudonyms (see :mod:`so_eval.data.pseudonym`),
  in any spelling (``010180-1234``, ``0101801234``, ``010180 1234``, an en dash, a slash …; a
  valid date part, substitute numbers included). A citizen-ID cell that is not a CPR number
  must be a pseudonym (``P`` and 16 hex digits) or an ID already in the dataset's citizens
  table; anything else (``010180-123``, ``01018O-1234``, a name) is refused and never stored.
  A CPR-shaped number in any other cell (:func:`so_eval.data.pseudonym.find_cpr`) rejects the row
  ("looks like a CPR number"). Columns the model does not know are dropped with a warning,
  never stored; a column that may hold names gets a warning of its own.
* **Nothing lost.** Each table has a key (:data:`KEYS`). A row whose key is new is added; a row
  identical to the stored row (its latest version) is counted as unchanged; so is a row identical
  to an earlier version of it (an old file ingested again: a warning says the current version was
  kept). A row with an existing key but other content is a **conflict**: it is not applied, the
  stored row stays, and the conflict is listed with the old → new value of each changed column.
  Two rows of one ingest with the same key and different content are an error. Re-ingesting a
  file adds nothing.
* **Updates** (``update=True``, ``so-eval ingest --update``). A changed row is added as a **new
  version** of its key (a course that has now ended, a corrected job date); the earlier versions
  stay in the file, so that the data as known on any earlier day — and every report made from
  them — can be reproduced (:mod:`so_eval.data.model`). The new version is registered on the row's own
  registration date if that is later than the stored version's, else on the day of the ingest;
  it must come out later than the stored version's (else the row is refused: a stored version
  registered today or later cannot be replaced today). A row with ``Trukket tilbage`` = ja
  (column ``withdrawn``) adds a withdrawal version: its empty cells are taken from the stored
  version; a key not in the dataset cannot be withdrawn. Only the registration date differing is
  a conflict even with ``update`` (a registration date is never rewritten). Each change is
  listed (old → new per column; citizen IDs only as pseudonyms) and logged.
* **All or nothing.** Any problem (a bad value, a broken reference, an unreadable file) raises
  :class:`IngestError` listing every problem with file, sheet, row (as Excel shows it, the header
  is row 1) and the column header the user sees; the dataset is then not touched at all. A
  successful ingest builds the new dataset in a temporary folder beside ``into``, validates it,
  appends one JSON line to ``ingest_log.jsonl`` (file names, SHA-256, counts, time — no values,
  except the old → new values of the rows changed with ``update``, citizen IDs as pseudonyms),
  and swaps the folders in one step (:func:`so_eval.folders.swap`; the old folder is
  removed once the new one is in place). One ingest at a time writes a dataset (a second one
  waits for the lock); the next ingest removes the temporary folders of one that was killed.
* **The key.** The pseudonym key is never stored. The log keeps a one-way check value of it;
  an ingest with a different key into the same dataset is refused (the same CPR number would
  get another pseudonym).

Submodules
----------
* :mod:`~so_eval.data.ingest.run` -- :func:`ingest`, the steps in order under the dataset's lock;
* :mod:`~so_eval.data.ingest.read` -- reading the files: workbooks (size checks, the streamed
  sheet scan), CSV (encoding, separator) and Parquet;
* :mod:`~so_eval.data.ingest.sources` -- one table's rows from one file or sheet, headers mapped
  to columns, the table told by its headers;
* :mod:`~so_eval.data.ingest.names` -- which table a sheet or file name and which column a
  header stands for;
* :mod:`~so_eval.data.ingest.values` -- cell values (dates, numbers, yes/no, categories, lists)
  normalised, CPR numbers pseudonymised;
* :mod:`~so_eval.data.ingest.merge` -- merging into the dataset: unchanged rows, conflicts and
  new versions (``--update``);
* :mod:`~so_eval.data.ingest.write` -- the new dataset built, validated, logged and swapped in;
* :mod:`~so_eval.data.ingest.results` -- problems, conflicts, changes, counts and the report.
"""

from so_eval.data.ingest.names import table_for_name
from so_eval.data.ingest.results import (
    Change,
    Conflict,
    FileReport,
    IngestError,
    IngestProblem,
    IngestReport,
    TableCounts,
)
from so_eval.data.ingest.run import ingest
from so_eval.data.ingest.write import LOG_NAME
from so_eval.data.model import KEYS

__all__ = [
    "KEYS",
    "LOG_NAME",
    "Change",
    "Conflict",
    "FileReport",
    "IngestError",
    "IngestProblem",
    "IngestReport",
    "TableCounts",
    "ingest",
    "table_for_name",
]
