"""The report's title and its table of contents (linking to the notebook's ## headings)."""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd

from so_eval import fmt
from so_eval.annual.sections.base import Section
from so_eval.reporting.blocks import Block

STRATEGY_NAME = "Strategi for socialøkonomi 2.0 — »Det handler om mennesker«"

SECTIONS = [
    "Indledning",
    "Målopnåelse",
    "Værdiskabelse",
    "Effekt: gjorde deltagelsen en forskel?",
    "Det der lykkedes — og det der ikke gik som forventet",
    "Det skæve, det uventede, læringer og korrektioner",
    "Metode og data",
]
"""The report's sections: the notebook's ## headings, in order (the table of contents links to them)."""


def heading_id(title: str) -> str:
    """The id nbconvert gives a Markdown heading in the HTML (so that links find it).

    nbconvert's rule (``nbconvert.filters.strings._convert_header_id``), written out here so
    that the report's kernel does not import nbconvert (≈1 s, through jsonschema) for it; a test
    checks that the two agree.
    """
    return quote(title.replace(" ", "-"), safe="?/:@!$&'()*+,;=")


class TitleSection(Section):
    """The title: the year, the strategy and its period, the day the report was made."""

    name = "title"

    def block(self) -> Block:
        p = self.params
        made = fmt.date(p.report_date) if p.report_date else fmt.date(pd.Timestamp.today())
        as_of = f" Data som kendt {fmt.date(p.as_of)}." if p.as_of else ""
        return Block().md(
            f"# Årsrapport {self.year}: Socialøkonomi i Slagelse Kommune\n\n"
            f"*{STRATEGY_NAME}, {p.strategy_period[0]}–{p.strategy_period[1]}.* "
            f"Rapporten er udarbejdet {made}.{as_of}"
        )


class ContentsSection(Section):
    """A table of contents linking to the report's sections (the notebook's ## headings)."""

    name = "contents"

    def block(self) -> Block:
        links = "\n".join(f"{i}. [{title}](#{heading_id(title)})" for i, title in enumerate(SECTIONS, 1))
        return Block().md(f"**Indhold**\n\n{links}")
