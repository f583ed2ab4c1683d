"""Snapshot every published figure of the demo reports, to show a refactoring changes none.

Makes the demo dataset and the annual report of every ``params/<year>.yaml`` into a scratch
folder with the ``so-eval`` command (so the snapshot does not depend on the package's layout),
then writes all ``figures.csv`` rows into one CSV, or compares them with an earlier snapshot::

    python scripts/ledger_snapshot.py --out /tmp/figures_before.csv      # before a change
    python scripts/ledger_snapshot.py --compare /tmp/figures_before.csv  # after it: exit 1 on any difference

Columns that change from run to run by design (the time of the run) are left out.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
VOLATILE = ("generated", "generated_at", "run_at")


def snapshot(scratch: Path) -> pd.DataFrame:
    """All figures of the demo reports of every params year, one row per (year, key)."""
    so_eval = [sys.executable, "-m", "so_eval.cli"]
    data = scratch / "demo"
    subprocess.run([*so_eval, "demo", "--out", str(data)], check=True, cwd=ROOT, capture_output=True)
    frames = []
    for params in sorted((ROOT / "params").glob("[0-9][0-9][0-9][0-9].yaml")):
        year = params.stem
        cmd = [*so_eval, "report", "--year", year, "--data", str(data), "--out", str(scratch / "reports"), "--quiet"]
        subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)
        figures = pd.read_csv(scratch / "reports" / year / "figures.csv", dtype=str, keep_default_na=False)
        frames.append(figures.drop(columns=[c for c in VOLATILE if c in figures], errors="ignore").assign(report=year))
    return pd.concat(frames, ignore_index=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--out", type=Path, help="write the snapshot to this CSV")
    group.add_argument("--compare", type=Path, help="compare with this earlier snapshot")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        now = snapshot(Path(tmp))
    if args.out:
        now.to_csv(args.out, index=False)
        print(f"{len(now)} figures in {now['report'].nunique()} reports written to {args.out}")
        return 0
    before = pd.read_csv(args.compare, dtype=str, keep_default_na=False)
    if before.equals(now):
        print(f"identical: {len(now)} figures in {now['report'].nunique()} reports")
        return 0
    merged = before.merge(now, how="outer", indicator=True)
    diff = merged[merged["_merge"] != "both"]
    print(f"{len(diff)} rows differ:\n{diff.head(40).to_string()}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
