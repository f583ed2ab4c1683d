"""Effekt: gjorde deltagelsen en forskel? — the headline effect estimate (the effect report's
headline: the same :class:`~so_eval.effects.analysis.EffectSpec`, from
:func:`so_eval.effects.report.effect_spec`), or why there is none, and a link to the full effect
report."""

from __future__ import annotations

from pathlib import Path

from so_eval import config, fmt
from so_eval.annual.sections.base import Section
from so_eval.effects.analysis import METHOD_LABELS, EffectSpec, effect_sample, estimate, has_panel
from so_eval.effects.report import effect_spec, record_estimate
from so_eval.reporting.blocks import Block
from so_eval.reporting.ledger import Figure, Ledger


def config_exists(path: Path) -> bool:
    """Whether ``path`` (relative to the project root, or absolute) exists."""
    return config.resolve(path).exists()


class EffectSection(Section):
    """The headline effect estimate (see :mod:`so_eval.effects`), recorded as ``effects.*``."""

    name = "effect"

    spec: EffectSpec | None = None
    result: object = None
    """The estimate (:class:`~so_eval.effects.att.AttResult`), or None."""
    problem: str | None = None
    """Why there is no estimate, in Danish (None if there is one)."""

    def record(self, ledger: Ledger) -> None:
        self.spec = effect_spec(self.params)
        if not has_panel(self.ds):
            self.problem = "Datasættet har ingen ugentlige statusdata (status_weekly), så effekten kan ikke måles."
            return
        sample = effect_sample(self.ds, self.spec)
        self.problem = self._sample_problem(sample)
        if self.problem:
            return
        try:
            self.result = estimate(sample, self.spec)
        except ValueError:  # e.g. perfect separation in the propensity-score model
            self.problem = self._unreliable()
            return
        record_estimate(ledger, "effects", self.result, "Effekt")

    def _since(self) -> str:
        return f"fra {fmt.date(self.spec.entry_from)} til udgangen af {self.year}"

    def _unreliable(self) -> str:
        return (
            f"Effekten kan ikke måles pålideligt for {self.year}: deltagerne {self._since()} og "
            "sammenligningsgruppen er for få eller for forskellige til at kunne sammenlignes."
        )

    def _sample_problem(self, sample) -> str | None:
        """Why the effect cannot be estimated on ``sample`` (None if it can)."""
        y = self.year
        treated = int((sample["treated"] == 1).sum())
        if treated == 0:
            return (
                f"Effekten kan ikke måles for {y}: ingen deltager, der startede sit første forløb "
                f"{self._since()}, har ugentlige statusdata for ugerne efter start, som effekten måles på."
            )
        if len(sample) - treated == 0:
            return (
                f"Effekten kan ikke måles for {y}: der er ingen borgere i sammenligningsgruppen "
                "(borgere i målgrupperne, der ikke deltog) med ugentlige statusdata for de samme uger."
            )
        if min(treated, len(sample) - treated) < 2:  # no spread to estimate an uncertainty from
            return self._unreliable()
        return None

    def block(self) -> Block:
        b, y = Block(), self.year
        if self.result is None:
            return b.md(self.problem or "Ingen effektmåling.")
        spec, att = self.spec, self.ledger["effects.att"]
        if att.suppressed:
            return b.md(
                f"Effekten for {y} vises ikke: den bygger på færre end {self.params.min_cell} deltagere, og så "
                "små grupper offentliggøres ikke."
            )
        link = Path(self.params.published_dir) / str(y) / "effect_measurement.html"
        more = (
            "Den fulde effektrapport med balance, overlap, analysen kvartal for kvartal og alle metoder "
            "side om side: [effect_measurement.html](effect_measurement.html)."
            if config_exists(link)
            else f"Den fulde effektrapport laves med `so-eval effects --year {y}`."
        )
        return b.md(
            f"Deltagere, der startede deres første forløb fra {fmt.date(spec.entry_from)} til udgangen af {y}, er "
            f"sammenlignet med borgere i de samme målgrupper, der ikke deltog, med samme alder, køn, oprindelse og "
            f"antal uger på ydelse før start. Effekten på {spec.label.lower()} er estimeret til "
            f"**{att.display} procentpoint** (95 % konfidensinterval {self.f('effects.ci_low')} til "
            f"{self.f('effects.ci_high')}; {self.f('effects.n_treated')} deltagere, "
            f"{self.f('effects.n_control')} i sammenligningsgruppen; metode: {METHOD_LABELS[spec.method]})."
            f"{self._interval_text()}{self._weeks_text(att)}\n\n{more}"
        )

    def _interval_text(self) -> str:
        """What the confidence interval says: above zero, below zero, or around it."""
        lo, hi = self.ledger["effects.ci_low"].value, self.ledger["effects.ci_high"].value
        if lo > 0:
            return " Intervallet ligger over nul: deltagelsen gjorde en positiv forskel."
        if hi < 0:
            return " Intervallet ligger under nul: deltagerne klarede sig dårligere end sammenlignelige borgere."
        return " Intervallet omfatter nul: data kan ikke afgøre, om der er en effekt."

    def _weeks_text(self, att: Figure) -> str:
        """The effect on self-support in weeks per participant (a horizon of weeks after start)."""
        spec = self.spec
        if spec.horizon not in ("1-26", "27-52", "53-104") or spec.outcome != "selfsupport":
            return ""
        lo, hi = (int(x) for x in spec.horizon.split("-"))
        per = att.value / 100 * (hi - lo + 1)
        return (
            f" Det svarer til omkring {fmt.number(per, 1)} uge(r) mere som selvforsørgende pr. deltager "
            f"i uge {lo}–{hi} efter start."
        )
