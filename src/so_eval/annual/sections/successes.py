"""Det der lykkedes — og det der ikke gik som forventet: sentences derived from the goals' results,
the statistical flags (:mod:`~so_eval.annual.sections.skewed`) and the agreements' progression."""

from __future__ import annotations

from so_eval import fmt
from so_eval.annual.sections.base import Section
from so_eval.metrics.goals import GoalStatus
from so_eval.reporting.blocks import Block


class SuccessesSection(Section):
    """What went well and what did not go as expected, as two lists (records nothing of its own)."""

    name = "successes"

    def findings(self) -> tuple[list[str], list[str]]:
        """Sentences for 'det der lykkedes' and 'det der ikke gik som forventet', derived from
        the goal results and simple flags on the agreements."""
        good: list[str] = []
        bad: list[str] = []
        self._goal1(good, bad)
        self._goal2(good, bad)
        self._goal3(good, bad)
        closed = self.ctx.section("goal3").closed
        if int(self.ledger["goal3.closed"].value):
            names = ", ".join(closed["name"])
            bad.append(f"{self.f('goal3.closed')} virksomhed(er)/initiativ(er) lukkede i {self.year}: {names}.")
        # the statistical flags (funnel plots, run charts, year-over-year tests)
        for f in getattr(self.ctx.section("skewed"), "flagged", []):
            if f.kind == "uventet" and f.method != "control chart":
                good.append(f.text)
            elif f.kind == "skævt":
                bad.append(f.text)
        good.extend(self._best_agreements())
        return good, bad

    def _goal1(self, good: list[str], bad: list[str]) -> None:
        y, goal1 = self.year, self.ctx.section("goal1")
        status = goal1.status.status
        if status is GoalStatus.MET:
            when = f", allerede den {self.f('goal1.norm_reached_on')}" if goal1.norm_reached is not None else ""
            good.append(
                f"Normen for beskæftigelse blev nået: {self.f('goal1.jobs')} borgere kom i job "
                f"(norm: {self.f('goal1.norm')}){when}."
            )
        elif status is GoalStatus.NOT_MET:
            bad.append(
                f"Normen for beskæftigelse blev ikke nået: {self.f('goal1.jobs')} borgere kom i job "
                f"mod en norm på {self.f('goal1.norm')}."
            )
        prev, now = f"goal1.jobs.{y - 1}", self.ledger["goal1.jobs"]
        if prev not in self.ledger or self.ledger[prev].suppressed or now.suppressed or self.ctx.provisional("jobs"):
            return  # (a foreløbig year is not compared with the year before)
        diff = now.value - self.ledger[prev].value
        if diff > 0:
            good.append(f"Flere borgere kom i job end året før ({self.f(prev)} i {y - 1}).")
        elif diff < 0:
            bad.append(f"Færre borgere kom i job end året før ({self.f(prev)} i {y - 1}).")

    def _goal2(self, good: list[str], bad: list[str]) -> None:
        status = self.ctx.section("goal2").status.status
        share, target = self.f("goal2.citizens_progressed_share"), "goal2.target"
        if status is GoalStatus.MET:
            good.append(
                f"{share} af borgerne med et afsluttet forløb havde progression (arbejdsmål: {self.f(target)})."
            )
        elif status is GoalStatus.NOT_MET:
            bad.append(
                f"Kun {share} af borgerne med et afsluttet forløb havde progression (arbejdsmål: {self.f(target)})."
            )

    def _goal3(self, good: list[str], bad: list[str]) -> None:
        y, goal3 = self.year, self.ctx.section("goal3")
        status, ty = goal3.status.status, self.params.targets["enterprises_year"]
        what = f"Målet om {self.f('goal3.target')} virksomheder og initiativer med tre bundlinjer"
        count = self.f("goal3.enterprises_three_bottom_lines")
        if status is GoalStatus.MET_EARLY:
            good.append(f"{what} er nået før tid: {count} ved udgangen af {y} (målår {ty}).")
        elif status is GoalStatus.MET:
            first = goal3.first_reached
            early = f" Det blev nået første gang i {first}." if first is not None and first < y else ""
            good.append(f"{what} er nået: {count}.{early}")
        elif status is GoalStatus.NOT_MET:
            bad.append(f"{what} blev ikke nået: {count} ved udgangen af {y}.")
        else:
            bad.append(f"{what} i {ty} er endnu ikke nået ({count} ved udgangen af {y}).")

    def _best_agreements(self) -> list[str]:
        """The three agreements with the largest share with progression, among those shown."""
        agreements = self.ctx.section("goal2").by_agreement

        def key(aid: str) -> str:
            return f"goal2.agreement.{fmt.slug(aid)}.progressed_share"

        def shown(aid: str) -> bool:  # ranked only among the shares the report shows
            return key(aid) in self.ledger and not self.ledger[key(aid)].suppressed

        best = (
            agreements.loc[[shown(a) for a in agreements["agreement_id"]]]
            .sort_values(["progressed_share", "ended"], ascending=False)
            .head(3)
        )
        if not len(best):
            return []
        names = "; ".join(
            f"{r.agreement_id} ({r.enterprise}): {self.f(key(r.agreement_id))}" for r in best.itertuples()
        )
        return [f"Aftalerne med størst andel progression i {self.year} var {names}."]

    def block(self) -> Block:
        good, bad = self.findings()
        b = Block()
        b.md("### Det der lykkedes\n\n" + ("\n".join(f"- {fmt.text(s)}" for s in good) or "- Intet at fremhæve."))
        b.md(
            "### Det der ikke gik som forventet\n\n"
            + ("\n".join(f"- {fmt.text(s)}" for s in bad) or "- Intet at fremhæve.")
        )
        return b
