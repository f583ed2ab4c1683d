"""Værdiskabelse in the annual report: mosaic economy, three bottom lines, fundraising, pilots,
survival, UN goals and circular economy, and the social return (business case and SROI).

:class:`ValueSection` computes everything for ``params.year`` when it is built and records every
figure it shows in the report's :class:`~so_eval.reporting.ledger.Ledger` under ``value.*`` keys (see
:data:`KEY_PREFIXES`); :meth:`ValueSection.block` returns the Danish text, tables and plots, read
back from the ledger. The value tables (finances, fundraising, pilots, partnerships, circular) are
optional: a sub-section whose table is missing or empty says so in one sentence.

Disclosure: counts of citizens and of givers (a giver may be a private person) are recorded with
``ledger.count(..., unit="borgere")``, so 1–4 are shown as "<5"; a share whose numerator or
complement is such a count is not shown either (with its denominator it would give the count
away), and the tables are protected against their totals and row relations (givers = new +
retained + recaptured) by :func:`so_eval.disclosure.secondary.protect_columns`. Counts of
enterprises, pilots, applications and amounts are not personal data and are shown as they are.

Submodules, one per ``###`` subsection, each one :class:`~base.Subsection` with ``record(ledger)``
and ``block()``:

- :mod:`.base`: :class:`~base.ValueContext` (what the subsections share), the ``Subsection`` base
  class (ledger-backed tables, completeness of the year tables) and small text helpers.
- :mod:`.mosaic`: the mosaic economy (revenue by sector, concentration, dependence on one source).
- :mod:`.bottom_lines`: the three bottom lines per enterprise.
- :mod:`.fundraising`: fundraising by giver type, the fundraiser on no cure no pay, Den Gyldne Donation.
- :mod:`.pilots`: pilots and trial actions, their pipeline and survival.
- :mod:`.survival`: the enterprises' survival by generation.
- :mod:`.sdg`: the UN goals and the circular economy.
- :mod:`.sroi`: the business case and SROI, their sensitivity (:data:`DEFAULT_SROI`).
- :mod:`.section`: :class:`ValueSection`, the list of subsections (:data:`~section.SUBSECTIONS`).
"""

from so_eval.annual.sections.value.section import KEY_PREFIXES, SUBSECTIONS, ValueSection
from so_eval.annual.sections.value.sroi import DEFAULT_SROI

__all__ = ["DEFAULT_SROI", "KEY_PREFIXES", "SUBSECTIONS", "ValueSection"]
