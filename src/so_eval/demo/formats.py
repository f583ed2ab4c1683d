"""The demo's files: CSV as the loader reads it, and deterministic Parquet for the weekly status panel."""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


def to_csv(df: pd.DataFrame) -> str:
    """The table as CSV text: dates as ``YYYY-MM-DD``, booleans as ``true``/``false``, floats with one
    decimal (missing: empty)."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].map({True: "true", False: "false"})
        elif pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else f"{v:.1f}")
    return out.to_csv(index=False, lineterminator="\n")


def arrow_table(df: pd.DataFrame) -> pa.Table:
    """The table as Arrow, without the index or pandas metadata: plain, reproducible columns."""
    return pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)


def to_parquet(df: pd.DataFrame) -> bytes:
    """Parquet bytes, deterministic for the same frame and library versions."""
    buf = io.BytesIO()
    pq.write_table(arrow_table(df), buf, compression="zstd", row_group_size=500_000)
    return buf.getvalue()
