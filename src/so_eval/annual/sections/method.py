"""Metode og data: the counting rules (printed from the code's own docstrings), the choices in
them, the disclosure rule and how many figures it hid, the caveats, and the data, code and
parameters the report was made from. It records last: it counts the figures hidden."""

from __future__ import annotations

import inspect
from pathlib import Path

import pandas as pd

from so_eval import disclosure, fmt, metrics
from so_eval import glossary as g
from so_eval.annual.sections.base import Section
from so_eval.data.dataset import Dataset
from so_eval.disclosure import secondary as sdc
from so_eval.effects.outcomes import outcome_table
from so_eval.reporting.blocks import Block, Table
from so_eval.reporting.ledger import Ledger
from so_eval.reporting.provenance import code_version, package_versions
from so_eval.screening import project_to_target

CAVEATS = [
    "Tallene bygger på registreringer i Jobcentrets og koordinatorens egne opgørelser. En række "
    "registreres først efter, at den hændelse, den beskriver, har fundet sted; sene registreringer "
    "kan derfor ændre tal for tidligere år. Hver række har en registreringsdato, så ethvert tal kan "
    "genskabes, som data så ud på en given dag.",
    "Rettes en række senere (fx når et forløbs slutdato tilføjes, eller en dato var forkert), gemmes "
    "rettelsen som en ny version med sin egen registreringsdato, og den gamle version bevares. Et tal "
    "kan derfor altid genskabes, som data så ud, da det blev offentliggjort.",
    "At en borger er kommet i job i forbindelse med et forløb, siger ikke i sig selv, at forløbet "
    "var årsagen. Effekten i forhold til en sammenligningsgruppe opgøres særskilt.",
    "Arbejdsmålet for progression er sat af koordinatoren i rapportens parametre; strategien "
    "fastsætter ikke et tal for mål 2.",
    "Job tælles ét pr. borger pr. år (det første job i året). En borger kan tælle med i flere år.",
]

PERSON_TABLES = {"citizens": "borgere", "courses": "forløb", "jobs": "borgere", "progression": "forløb",
                 "status_weekly": "borgere"}  # fmt: skip
"""Tables whose rows are about citizens: their sizes are counts of persons (1–4 shown as <5)."""

HIDDEN = {
    "small": "Antal vist som <5",
    "secondary": "Antal skjult som × (sekundær diskretionering)",
    "withheld": "Antal ikke vist (–): selv skjult ville de afsløre hinanden",
    "basis": "Andele og gennemsnit ikke vist: færre borgere end grænsen",
    "reveals": "Andele ikke vist: ville vise et lille antal eller en lille rest",
    "protects": "Andele og gennemsnit ikke vist: ville afsløre et andet skjult tal",
}
"""Why a figure is hidden (``disclosure.hidden.{why}``), in Danish."""

RULE_TITLES = {
    "job_starts": "Overgang til beskæftigelse eller jobskifte",
    "employment_entries": "Kommet i beskæftigelse",
    "job_changes": "Jobskifte",
    "jobs_per_year": "Borgere i beskæftigelse pr. år og normen",
    "employment_sources": "Mål 1 og status efter forløb",
    "progression_per_year": "Progression pr. borger",
    "progression_by_agreement": "Forløb og progression pr. samarbejdsaftale",
    "step_transitions": "Trin ved start og slut",
    "end_status_by_agreement": "Status efter forløb",
    "youth_education": "Unge i uddannelse",
    "active_enterprises": "Aktive virksomheder og initiativer",
    "completeness": "Fuldstændighed og foreløbige tal",
    "enterprises_per_year": "Virksomheder år for år",
    "agreements_active": "Gældende samarbejdsaftaler",
    "citizens_served": "Borgere i forløb",
    "goal_status": "Målstatus",
    "project_to_target": "Fremskrivning mod målene",
    "outcome_table": "Effektmåling: deltagere, sammenligningsgruppe og udfald",
}
"""The counting rules' titles in the method section (by function name)."""


def counting_rule(func) -> str:
    """The Danish counting rule ('Tælleregel: …') from a metric's docstring."""
    doc = inspect.getdoc(func) or ""
    paras = [p.strip() for p in doc.split("\n\n")]
    for p in paras:
        if p.startswith("Tælleregel:"):
            return " ".join(p[len("Tælleregel:") :].split())
    return " ".join(paras[0].split()) if paras else ""


def after_as_of_text(ds: Dataset, min_cell: int) -> str:
    """Rows registered after ``as_of`` (not counted), per table; 1–4 shown as ``<5``."""
    later = getattr(ds, "after_as_of", {})
    if not later:
        return ""

    def shown(n: int) -> str:
        return disclosure.masked(min_cell) if disclosure.count_suppressed(n, min_cell) else fmt.number(n)

    n = sum(v[0] for v in later.values())
    tables = ", ".join(f"{g.table_label(t).lower()}: {shown(v[0])}" for t, v in later.items())
    return f"; {shown(n)} {'række' if n == 1 else 'rækker'} registreret senere er ikke talt med ({tables})"


class MethodSection(Section):
    """Metode og data. Records the size of each table and, last of all, how many figures are
    hidden and why."""

    name = "method"

    def record(self, ledger: Ledger) -> None:
        # the number of rows of each table; rows about citizens are counts of persons (1–4 shown as <5)
        for name, table in self.ds.tables.items():
            label = f"Rækker i {g.table_label(name).lower()}"
            ledger.count(f"data.rows.{name}", len(table), label, PERSON_TABLES.get(name, "rækker"))
        counts = dict.fromkeys(HIDDEN, 0)
        for fig in ledger.figures.values():
            if not fig.suppressed:
                continue
            if fig.secondary:
                counts["secondary"] += 1
            else:
                counts[fig.why if fig.why in counts else "basis"] += 1
        for k, v in counts.items():
            ledger.value(f"disclosure.hidden.{k}", v, HIDDEN[k], "antal")

    def block(self) -> Block:
        p, b = self.params, Block()
        rules = "\n".join(
            f"- **{RULE_TITLES.get(fn.__name__, fn.__name__)}** (`{fn.__name__}`): {counting_rule(fn)}"
            for fn in (*metrics.COUNTING_RULES, outcome_table, project_to_target)
        )
        b.md("### Tælleregler\n\nReglerne er skrevet én gang i koden og trykt her fra den:\n\n" + rules)
        b.md(self._counting_choices_text())
        b.md("### Diskretionering\n\n" + sdc.rule_text(p.min_cell))
        if "disclosure.hidden.small" in self.ledger:
            hidden = {k: self.ledger[f"disclosure.hidden.{k}"].value for k in HIDDEN}
            b.md(sdc.hidden_text(hidden, p.min_cell))
        b.md("### Forbehold\n\n" + "\n".join(f"- {c}" for c in CAVEATS))
        b.md(self._data_and_code_text())
        params = pd.DataFrame([{"Parameter": k, "Værdi": str(v)} for k, v in p.as_dict().items() if k != "output_dir"])
        b.table(Table(params, caption="Parametre"))
        versions = pd.DataFrame([{"Pakke": k, "Version": v} for k, v in package_versions().items()])
        return b.table(Table(versions, caption="Programversioner"))

    def _data_and_code_text(self) -> str:
        """The dataset (its folder, tables, fingerprint and cut date) and the code's version."""
        p, ds = self.params, self.ds
        sizes = ", ".join(
            f"{g.table_label(k).lower()}: {self.f(f'data.rows.{k}')}"
            if f"data.rows.{k}" in self.ledger
            else f"{g.table_label(k).lower()}: {fmt.number(len(v))}"
            for k, v in ds.tables.items()
        )
        code = code_version()
        commit = (
            f"commit `{code['git_commit'][:12]}`" + (" (med lokale ændringer)" if code.get("git_dirty") else "")
            if "git_commit" in code
            else "ingen git-oplysning"
        )
        return (
            "### Data og kode\n\n"
            f"- Datasæt: `{Path(p.data_dir).as_posix()}` ({sizes})\n"
            f"- Datafingeraftryk (SHA-256): `{ds.fingerprint}`\n"
            f"- Data som kendt: {fmt.date(p.as_of) if p.as_of else 'alle registreringer i datasættet'}"
            f"{after_as_of_text(ds, p.min_cell)}\n"
            f"- Kode: so-eval {code['package']}, {commit}\n"
        )

    def _counting_choices_text(self) -> str:
        """The counting rules' parameters and why they were chosen, in plain Danish."""
        c = self.params.counting
        types = c["employment_job_types"]
        left_out = [t for t in g.JOB_TYPES if t not in types]
        types_text = ", ".join(g.category_label(t).lower() for t in types)
        out_text = f" Ikke med: {', '.join(g.category_label(t).lower() for t in left_out)}." if left_out else ""
        return (
            "### Valg i tællereglerne\n\n"
            f"- **Jobtyper, der tæller som beskæftigelse (mål 1):** {types_text}.{out_text} Strategien gør op, "
            "hvor mange der »er kommet i beskæftigelse«, og undtager ingen jobtype; dens målgrupper omfatter "
            "borgere visiteret til fleksjob. Tabellen efter jobtype viser fordelingen, så man kan se tallet "
            "uden fx småjob.\n"
            "- **Borgere, ikke job:** som i Jobindsats tælles personer. En borger tælles én gang om året, og kun "
            "når borgeren ikke var i job dagen før jobstart; et nyt job, mens man allerede er i job, er et "
            "jobskifte og vises for sig. Mål 2 tælles pr. borger (overskriften) og pr. forløb inden for hver "
            "samarbejdsaftale (det, aftalen lærer af).\n"
            f"- **Job efter et forløb (mål 2):** et job tæller for forløbet, når det er registreret på forløbet "
            f"og starter under forløbet eller højst {c['job_window_days']} dage efter slutdatoen; det tælles i "
            "det år, forløbet sluttede.\n"
            f"- **Foreløbige tal:** er under {fmt.percent(c['completeness_threshold'])} af de ventede rækker for "
            "et år registreret på opgørelsesdagen, kaldes årets tal foreløbigt og sammenlignes ikke med "
            "tidligere år."
        )
