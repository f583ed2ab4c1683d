"""Report tables and display blocks: Danish-formatted, HTML for notebooks and the report."""

from __future__ import annotations

import html
import io
from dataclasses import dataclass, field

import pandas as pd


@dataclass
class Table:
    """A table of display strings with a caption; renders as HTML in notebooks and reports."""

    data: pd.DataFrame
    caption: str = ""
    note: str = ""

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in self.data.columns)
        body = []
        for row in self.data.itertuples(index=False):
            cells = []
            for i, v in enumerate(row):
                text = html.escape(str(v))
                cls = ' class="num"' if i > 0 and _looks_numeric(str(v)) else ""
                cells.append(f"<td{cls}>{text}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        cap = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        note = f'<p class="table-note">{html.escape(self.note)}</p>' if self.note else ""
        return (
            f'<table class="so-eval-table">{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>{note}"
        )

    def __repr__(self) -> str:
        return f"{self.caption}\n{self.data.to_string(index=False)}"


def _looks_numeric(s: str) -> bool:
    s = s.replace("\u00a0%", "").replace("<", "").replace("+", "").replace("–", "0")
    return s.replace(".", "").replace(",", "").replace("-", "").strip().isdigit()


def figure_png(fig, dpi: int = 150) -> bytes:
    """A matplotlib figure as PNG bytes.

    A figure with a layout engine (the report's figures use the constrained layout) already
    fits its labels and legends inside itself, so it is drawn once at its own size; only a
    figure without one is cropped to its contents (``bbox_inches="tight"`` draws it twice).
    """
    buf = io.BytesIO()
    tight = "tight" if fig.get_layout_engine() is None else None
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches=tight)
    return buf.getvalue()


def figure_img(fig, alt: str) -> str:
    """An ``<img>`` element with the figure as an embedded PNG and its Danish alternative text
    (a screen reader reads it; nbconvert would otherwise put an English placeholder there)."""
    import base64

    data = base64.b64encode(figure_png(fig)).decode("ascii")
    return f'<img class="so-eval-figure" src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}">'


@dataclass
class Block:
    """A sequence of Markdown text, tables and figures shown together by one notebook cell."""

    parts: list = field(default_factory=list)

    def md(self, text: str) -> "Block":
        self.parts.append(("md", text))
        return self

    def table(self, table: Table) -> "Block":
        self.parts.append(("table", table))
        return self

    def figure(self, fig, alt: str = "") -> "Block":
        self.parts.append(("figure", (fig, alt)))
        return self

    def extend(self, other: "Block") -> "Block":
        self.parts.extend(other.parts)
        return self

    def _ipython_display_(self) -> None:
        from IPython.display import HTML, Markdown, display

        for kind, part in self.parts:
            if kind == "md":
                display(Markdown(part))
            elif kind == "table":
                display(HTML(part._repr_html_()))
            else:
                fig, alt = part
                display(HTML(figure_img(fig, alt)))

    @property
    def text(self) -> str:
        """All Markdown text of the block (for tests and plain-text use)."""
        return "\n\n".join(p for k, p in self.parts if k == "md")
