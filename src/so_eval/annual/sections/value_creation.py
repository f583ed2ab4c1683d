"""Værdiskabelse: the reach of the strategy (:mod:`~so_eval.annual.sections.reach`), then value
creation beyond job counts, which :class:`~so_eval.annual.sections.value.ValueSection` computes,
records and shows (mosaic economy, three bottom lines, fundraising, pilots, survival, UN goals and
circular economy, and the social return)."""

from __future__ import annotations

from so_eval.annual.sections.base import Section
from so_eval.annual.sections.value import ValueSection
from so_eval.reporting.blocks import Block
from so_eval.reporting.ledger import Ledger


class ValueCreationSection(Section):
    """Værdiskabelse: the reach section's text and table, then :class:`ValueSection`'s."""

    name = "value_creation"

    value: ValueSection | None = None
    """The value subsections (built when recorded: it records its figures as it is built)."""

    def record(self, ledger: Ledger) -> None:
        effect = self.ctx.section("effect")
        self.value = ValueSection(self.ds, self.params, ledger, effect=effect.result, effect_spec=effect.spec)

    def block(self) -> Block:
        b = Block().extend(self.ctx.section("reach").block())
        if self.value is not None:
            b.extend(self.value.block())
        return b
