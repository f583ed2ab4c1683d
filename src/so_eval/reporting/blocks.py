"""Report tables and display blocks: Danish-formatted, HTML for notebooks and the report.

Where a string from the data meets HTML, it is escaped here and in :func:`so_eval.fmt.text`:

* a :class:`Table` escapes every cell, header, caption and note (a cell is always text);
* a :class:`Block`'s Markdown is written by the code, with every data value passed through
  :func:`so_eval.fmt.text`; and whatever reaches the reader goes through :func:`safe_markdown`,
  which lets no raw HTML and no link to a script through even where a value was not escaped;
* a figure's alternative text is attribute-escaped (:func:`figure_img`).

A :class:`Block` holds its figures as matplotlib figures and draws each to a PNG
(:func:`figure_png`) when it is shown.
"""

from __future__ import annotations

import base64
import html
import io
import re
from dataclasses import dataclass, field

import pandas as pd
from IPython.display import HTML, Markdown, display


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


def figure_img(png: bytes, alt: str) -> str:
    """An ``<img>`` element with a figure's PNG embedded and its Danish alternative text
    (a screen reader reads it; nbconvert would otherwise put an English placeholder there)."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img class="so-eval-figure" src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}">'


_SAFE_TARGET = re.compile(r"\s*<?\s*(?:https?:|mailto:|#|[\w.\-]*(?:[/?#)]|$))", re.I)
_LINK_OPEN = re.compile(r"\]\(|^ {0,3}\[[^\]\n]*\]:", re.M)  # an inline link's target; a link definition


def safe_markdown(text: str) -> str:
    """The report's Markdown as it is shown: no raw HTML and no link to a script.

    The report's Markdown never holds HTML, so every ``<`` becomes ``&lt;`` (a ``<5`` still
    reads ``<5``; a tag is shown as text, never run); and a link whose target has a scheme other
    than ``http``, ``https`` or ``mailto`` (``javascript:``, ``data:``, ``vbscript:``…) is shown as
    the text it is. This is the one place Markdown reaches the reader (:meth:`Block.
    _ipython_display_`), so a data value that was not passed through :func:`so_eval.fmt.text`
    can at worst change the formatting, never run in the reader's browser.
    """
    text = str(text).replace("<", "&lt;")

    def link(m: re.Match) -> str:
        backslashes = len(text[: m.start()]) - len(text[: m.start()].rstrip("\\"))
        if backslashes % 2 or _SAFE_TARGET.match(text, m.end()):  # an escaped "]" is no link
            return m[0]
        return m[0][:-2] + "\\]\\(" if m[0].endswith("](") else m[0][:-2] + "\\]:"

    return _LINK_OPEN.sub(link, text)


@dataclass
class Block:
    """A sequence of Markdown text, tables and figures shown together by one notebook cell."""

    parts: list = field(default_factory=list)

    def md(self, text: str) -> Block:
        """Add Markdown written by the code; every value from the data in it must have passed
        through :func:`so_eval.fmt.text` (it is shown through :func:`safe_markdown`)."""
        self.parts.append(("md", text))
        return self

    def table(self, table: Table) -> Block:
        self.parts.append(("table", table))
        return self

    def figure(self, fig, alt: str = "") -> Block:
        """Add a finished matplotlib figure (it must not change after this) with its Danish
        alternative text; it is drawn when the block is shown (the part is ``(fig, alt)``)."""
        self.parts.append(("figure", (fig, alt)))
        return self

    def extend(self, other: Block) -> Block:
        self.parts.extend(other.parts)
        return self

    def _ipython_display_(self) -> None:
        for kind, part in self.parts:
            if kind == "md":
                display(Markdown(safe_markdown(part)))
            elif kind == "table":
                display(HTML(part._repr_html_()))
            else:
                fig, alt = part
                display(HTML(figure_img(figure_png(fig), alt)))

    @property
    def text(self) -> str:
        """All Markdown text of the block (for tests and plain-text use)."""
        return "\n\n".join(p for k, p in self.parts if k == "md")
