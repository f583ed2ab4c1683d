"""The ``so-eval`` command line. Heavy libraries are imported inside the commands, so that
``so-eval --help`` answers at once."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _cmd_demo(args: argparse.Namespace) -> int:
    from so_eval import config

    if args.scale < 1:
        print(f"error: --scale must be at least 1, got {args.scale}", file=sys.stderr)
        return 1
    if args.scale > 1:
        return _demo_national(args, Path(args.out) if args.out else config.DATA_DIR / f"demo-x{args.scale}")
    from so_eval.demo.core import write_demo

    out = Path(args.out) if args.out else config.DEMO_DIR
    write_demo(out, seed=args.seed, anomalies=not args.no_anomalies)
    print(f"Demo dataset (seed {args.seed}) written to {out}")
    return 0


def _demo_national(args: argparse.Namespace, out: Path) -> int:
    from so_eval.demo.national import write_national

    if args.no_anomalies:
        print("error: --no-anomalies has no meaning with --scale (only the effect tables are written)", file=sys.stderr)
        return 1

    def progress(k: int, n: int) -> None:
        print(f"\r  chunk {k}/{n}", end="" if k < n else "\n", file=sys.stderr, flush=True)

    write_national(out, args.scale, seed=args.seed, progress=progress)
    print(
        f"National demo panel ({args.scale} × the municipal demo, seed {args.seed}; citizens, courses "
        f"and status_weekly only) written to {out}"
    )
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from so_eval.data.loading import validate

    path = Path(args.dir)
    if not path.is_dir():
        print(f"error: dataset folder not found: {path}", file=sys.stderr)
        return 1
    problems = validate(path)
    if not problems:
        print(f"{path}: valid")
        return 0
    print(f"{path}: {len(problems)} problem(s)", file=sys.stderr)
    for p in problems:
        print(f"  - {p}", file=sys.stderr)
    return 1


def _cmd_report(args: argparse.Namespace) -> int:
    from so_eval.params import latest_year
    from so_eval.publish import ReportError, run_report

    year = args.year if args.year is not None else latest_year()
    try:
        run_report(
            year,
            params_file=args.params,
            reports_dir=args.out,
            data_dir=args.data,
            force=args.force,
            progress=not args.quiet,
            overrides={"as_of": args.as_of} if args.as_of else None,
            pdf=args.pdf,
        )
    except (ReportError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _cmd_effects(args: argparse.Namespace) -> int:
    from so_eval.params import latest_year
    from so_eval.publish import EFFECTS, ReportError, run_report

    year = args.year if args.year is not None else latest_year()
    overrides = {
        "effects": {
            k: v
            for k, v in (
                ("outcome", args.outcome),
                ("horizon", args.horizon),
                ("method", args.method),
                ("entry_from", args.entry_from),
            )
            if v
        }
    }
    if args.as_of:
        overrides["as_of"] = args.as_of
    try:
        run_report(
            year,
            params_file=args.params,
            reports_dir=args.out,
            data_dir=args.data,
            force=args.force,
            progress=not args.quiet,
            job=EFFECTS,
            overrides=overrides,
        )
    except (ReportError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _cmd_reproduce(args: argparse.Namespace) -> int:
    from so_eval.reproduce import reproduce

    try:
        res = reproduce(args.folder, data_dir=args.data)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for note in res.notes:
        print(f"note: {note}")
    if res.ok:
        print(f"{res.folder}: all {res.n_figures} published figures reproduced (data as of {res.as_of})")
        return 0
    print(f"{res.folder}: {len(res.differences)} of {res.n_figures} figures differ (data as of {res.as_of}):")
    with_cols = res.differences[["file", "key", "published", "reproduced"]]
    print(with_cols.to_string(index=False, max_colwidth=60))
    return 1


def _cmd_template(args: argparse.Namespace) -> int:
    from so_eval.data.template import write_template

    try:
        path = write_template(args.out, overwrite=args.force)
    except FileExistsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Template written to {path}")
    return 0


def _cmd_ingest(args: argparse.Namespace) -> int:
    from so_eval.data.ingest import IngestError, ingest
    from so_eval.data.pseudonym import PseudonymKeyError

    try:
        report = ingest(args.files, args.into, table=args.table, update=args.update)
    except PseudonymKeyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except IngestError as exc:
        print(f"error: nothing was ingested into {args.into}; {len(exc.problems)} problem(s):", file=sys.stderr)
        for p in exc.problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    print(report.summary())
    return 2 if report.conflicts else 0


def _cmd_keygen(args: argparse.Namespace) -> int:
    from so_eval.data import pseudonym as ps

    try:
        path = ps.write_key(args.file)
    except (ps.PseudonymKeyError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    check = ps.key_check(path.read_bytes().strip())
    print(
        f"A new random pseudonym key ({ps.KEYGEN_BYTES} bytes) was written to {path} (readable only "
        f"by you; check value {check}).\n"
        f"Use it for every ingest:  export {ps.KEY_FILE_ENV}={path}\n"
        "Keep a copy in a safe place: without this key, new data cannot be linked to the "
        "pseudonyms made with it."
    )
    return 0


def _report_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--year", type=int, help="report year (default: the newest params/<year>.yaml)")
    p.add_argument("--params", help="params YAML (default params/<year>.yaml)")
    p.add_argument("--data", help="dataset folder (overrides data_dir in the params)")
    p.add_argument("--out", help="reports folder (default reports/)")
    p.add_argument("--force", action="store_true", help="replace this report if it exists for the year")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--as-of", help="compute every figure as the data stood on this date (ISO date)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="so-eval",
        description="Evaluation workbench for the social-economy strategy: demo data, validation, "
        "annual report, effect measurement.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("demo", help="write the synthetic demo dataset (deterministic for a seed)")
    p.add_argument("--seed", type=int, default=2022, help="random seed (default 2022)")
    p.add_argument("--out", help="folder to write to (default data/demo)")
    p.add_argument(
        "--no-anomalies",
        action="store_true",
        help="plant nothing unusual (to check the workbench flags no more than chance)",
    )
    p.add_argument(
        "--scale",
        type=int,
        default=1,
        help="write SCALE municipal replicates (national scale), chunk by chunk: only the "
        "tables the effect measurement needs (default 1: the full demo; out default "
        "data/demo-xSCALE)",
    )
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("validate", help="check a dataset folder; exit 1 with a list of problems")
    p.add_argument("dir", help="dataset folder, e.g. data/demo")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("report", help="make the annual report for a year into reports/<year>/")
    _report_options(p)
    p.add_argument("--pdf", action="store_true", help="also print annual_report.pdf with headless Chromium")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("template", help="write the Excel template for the coordinator's data")
    p.add_argument("out", help="the workbook to write, e.g. skabelon.xlsx")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(func=_cmd_template)

    p = sub.add_parser(
        "ingest", help="read filled workbooks and CSV exports into a dataset, pseudonymising CPR numbers"
    )
    p.add_argument("files", nargs="+", help="workbooks (.xlsx) and CSV/Parquet exports")
    p.add_argument("--into", required=True, help="the dataset folder, e.g. data/slagelse")
    p.add_argument(
        "--table",
        help="the table the files hold (e.g. jobs or Job), for files whose name "
        "does not say it (default: told by the file or sheet name, else by the headers)",
    )
    p.add_argument(
        "--update",
        action="store_true",
        help="add changed rows as new versions of the stored rows (a course that has ended, a "
        "corrected date; 'Trukket tilbage' = ja withdraws a row), after listing old -> new for "
        "each; the earlier versions are kept. Without it such rows are reported as conflicts",
    )
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser("keygen", help="write a new random pseudonym key to FILE (outside the repository)")
    p.add_argument("file", help="the key file to write, e.g. ~/.config/so-eval/pseudonym.key; never overwritten")
    p.set_defaults(func=_cmd_keygen)

    p = sub.add_parser("reproduce", help="re-run a published report from its manifest and compare every figure")
    p.add_argument("folder", help="a published report folder, e.g. reports/2025")
    p.add_argument("--data", help="dataset folder (default: the one recorded in the manifest)")
    p.set_defaults(func=_cmd_reproduce)

    p = sub.add_parser("effects", help="make the effect report for a year into reports/<year>/effect_measurement.html")
    _report_options(p)
    p.add_argument("--outcome", choices=["selfsupport", "education"], help="outcome (default from params)")
    p.add_argument("--horizon", choices=["1-26", "27-52", "53-104", "w26", "w52"], help="weeks after course start")
    p.add_argument("--method", choices=["difference", "regression", "ipw", "aipw", "matching"], help="headline method")
    p.add_argument("--entry-from", help="first course start date of participants (ISO date)")
    p.set_defaults(func=_cmd_effects)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("so-eval")
    except PackageNotFoundError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
