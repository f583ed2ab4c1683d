"""The demo at national scale: ``scale`` municipal replicates, written chunk by chunk.

For measuring the effect measurement at the size of a national register (100 × the municipal
demo is 360,000 citizens and 188 million person-weeks) without ever holding more than one
municipality in memory. Each replicate ("chunk") is made by the demo's own generator pieces —
enterprises and agreements (needed to choose who starts a course), citizens, the weekly status
panel with the planted effect, and courses chosen by the same selection model — from its own
seeds derived from ``seed`` and the chunk number, and appended to:

* ``status_weekly.parquet`` through one :class:`pyarrow.parquet.ParquetWriter` (row groups of
  at most 500,000 rows);
* ``citizens.csv`` and ``courses.csv``;
* ``national.json``: seed, scale and sizes, written last (its presence marks a finished folder).

Only what the effect measurement needs is written: no enterprises, agreements, progression,
jobs or value tables (courses have no ``end_step``/``end_status``), so the folder is not a
complete dataset for ``so-eval validate``; read it with
:func:`so_eval.effects.streaming.read_effect_inputs` and the ``*_parquet`` functions there.

Pseudonyms stay unique across chunks by a chunk tag of four hex digits after the leading
letters: citizen ``B7d62f3152c`` of chunk 3 is ``B00037d62f3152c`` (still a short string as the
schema asks), course ``F00001`` is ``F000300001`` and agreement ``SA022`` is ``SA0003022``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from so_eval.demo import core as demo
from so_eval.demo import dgp
from so_eval.demo.formats import arrow_table, to_csv
from so_eval.demo.panel import StatusPanel

CHUNK_CITIZENS = demo.N_CITIZENS
"""Citizens per chunk: one municipal demo."""
ROW_GROUP_SIZE = 500_000
MANIFEST = "national.json"
_TABLES = ("citizens", "courses", "status_weekly")


def _tag_ids(ids: pd.Series, tag: str) -> pd.Series:
    """Insert ``tag`` after the leading capital letters of each id (``B7d6…`` → ``B00037d6…``)."""
    if not tag:
        return ids
    return ids.str.replace(r"^([A-Z]*)", lambda m: m.group(1) + tag, regex=True)


def effect_tables(
    rng: np.random.Generator, panel_rng: np.random.Generator, *, tag: str = ""
) -> dict[str, pd.DataFrame]:
    """The citizens, courses and weekly status panel of one municipal demo, by the demo's own
    generator pieces (:mod:`so_eval.demo.core`), from ``rng`` and ``panel_rng``.

    With the demo's generators (``default_rng(seed)`` and ``default_rng([seed, 1])``) and no
    ``tag`` these are the demo's own citizens, status panel and course starts. ``tag`` is put
    into every pseudonym and id to keep them unique across chunks.

    Returns
    -------
    dict with ``citizens``, ``courses`` (without ``end_step``/``end_status``, which the demo
    sets later from jobs and drop-outs) and ``status_weekly``.
    """
    ent = demo.generate_enterprises(rng)
    agr = demo.generate_agreements(rng, ent)
    agr["agreement_id"] = _tag_ids(agr["agreement_id"], tag)
    cit = demo.generate_citizens(rng)
    cit["citizen_id"] = _tag_ids(cit["citizen_id"], tag)
    panel = StatusPanel(panel_rng, cit, dgp.EffectModel())
    courses, _ = demo.generate_courses(rng, agr, cit, panel)
    courses["course_id"] = _tag_ids(courses["course_id"], tag)
    courses = courses.drop(columns=["end_step", "end_status"])
    return {"citizens": cit, "courses": courses, "status_weekly": panel.frame(cit, demo.EXTRACT_DATE)}


def chunk_generators(seed: int, k: int) -> tuple[np.random.Generator, np.random.Generator]:
    """The two random generators of chunk ``k`` (main and status panel), derived from
    ``seed`` and ``k`` (so any chunk can be remade on its own)."""
    main, panel = np.random.SeedSequence([seed, k]).spawn(2)
    return np.random.default_rng(main), np.random.default_rng(panel)


def national_chunk(seed: int, k: int) -> dict[str, pd.DataFrame]:
    """Chunk ``k`` (0, 1, …) of the national panel for ``seed``: see :func:`effect_tables`."""
    return effect_tables(*chunk_generators(seed, k), tag=f"{k:04x}")


def write_national(
    out: str | os.PathLike[str],
    scale: int,
    seed: int = demo.DEFAULT_SEED,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Write ``scale`` municipal replicates of the demo's effect tables to ``out``.

    Memory stays at one chunk's worth (a few hundred MiB): each chunk is generated, appended
    to ``status_weekly.parquet``, ``citizens.csv`` and ``courses.csv`` and dropped. The files
    are written under temporary names and renamed when all chunks are in; ``national.json``
    comes last. Deterministic: the same ``seed`` and ``scale`` give byte-identical files (with
    the same library versions). ``progress(k, scale)`` is called after each chunk.

    Returns the folder.

    Example
    -------
    >>> from so_eval.demo.national import write_national
    >>> write_national("/tmp/national", scale=100)   # doctest: +SKIP
    """
    if int(scale) < 1:
        raise ValueError(f"scale must be at least 1, got {scale}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    final = {name: out / (f"{name}.parquet" if name == "status_weekly" else f"{name}.csv") for name in _TABLES}
    tmp = {name: path.with_name(path.name + ".part") for name, path in final.items()}
    (out / MANIFEST).unlink(missing_ok=True)
    sizes = dict.fromkeys(_TABLES, 0)
    writer = None
    try:
        with (
            open(tmp["citizens"], "w", encoding="utf-8", newline="") as cit_f,
            open(tmp["courses"], "w", encoding="utf-8", newline="") as cou_f,
        ):
            for k in range(int(scale)):
                tables = national_chunk(seed, k)
                for name, f in (("citizens", cit_f), ("courses", cou_f)):
                    text = to_csv(tables[name])
                    f.write(text if k == 0 else text.split("\n", 1)[1])  # one header line
                table = arrow_table(tables["status_weekly"])
                if writer is None:
                    writer = pq.ParquetWriter(tmp["status_weekly"], table.schema, compression="zstd")
                writer.write_table(table, row_group_size=ROW_GROUP_SIZE)
                for name in _TABLES:
                    sizes[name] += len(tables[name])
                del tables, table
                if progress is not None:
                    progress(k + 1, int(scale))
        writer.close()
        writer = None
        for name in _TABLES:
            os.replace(tmp[name], final[name])
    finally:
        if writer is not None:
            writer.close()
        for path in tmp.values():
            path.unlink(missing_ok=True)
    manifest = {
        "seed": int(seed),
        "scale": int(scale),
        "chunk_citizens": CHUNK_CITIZENS,
        "citizens": sizes["citizens"],
        "courses": sizes["courses"],
        "person_weeks": sizes["status_weekly"],
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return out


def read_manifest(out: str | os.PathLike[str]) -> dict | None:
    """The ``national.json`` of a finished folder, or None if there is none."""
    path = Path(out) / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
