"""One glossary: code names and category codes mapped to the Danish labels the report uses.

Category *codes* in the data are already the users' Danish terms (``"kontanthjælp"``,
``"afklaring"``); this module gives them their display form and labels every column and figure.
"""

from __future__ import annotations

# -- categories ------------------------------------------------------------------------------

TARGET_GROUPS: tuple[str, ...] = (
    "ressourceforløb",
    "kontanthjælp",
    "fleksjob",
    "integration",
    "unge",
)
"""Target groups (målgrupper). ``unge`` = young people on uddannelseshjælp."""

STEPS: tuple[str, ...] = (
    "motivation",
    "afklaring",
    "praktik",
    "småjob",
    "flere timer",
    "job",
    "uddannelse",
)
"""Value-chain steps (værdikæde), in order. ``job`` and ``uddannelse`` are both the last step."""

STEP_RANK: dict[str, int] = {
    "motivation": 1,
    "afklaring": 2,
    "praktik": 3,
    "småjob": 4,
    "flere timer": 5,
    "job": 6,
    "uddannelse": 6,
}

END_STATUSES: tuple[str, ...] = (
    "job",
    "uddannelse",
    "praktik",
    "flere timer",
    "småjob",
    "afklaring",
    "frafald",
    "andet",
)
"""Where the citizen is after the course (status efter forløbet)."""

JOB_TYPES: tuple[str, ...] = (
    "ordinært job",
    "deltidsjob",
    "fleksjob",
    "småjob",
    "elev/lærling",
)

ENTERPRISE_KINDS: tuple[str, ...] = ("virksomhed", "initiativ", "forening")
GENDERS: tuple[str, ...] = ("k", "m")
ORIGINS: tuple[str, ...] = ("dansk", "vestlig", "ikke-vestlig")
LEARNING_KINDS: tuple[str, ...] = ("skævt", "uventet", "læring", "korrektion")
SDG_GOALS: tuple[int, ...] = tuple(range(1, 18))

# -- labels ----------------------------------------------------------------------------------

TABLE_LABELS: dict[str, str] = {
    "enterprises": "Virksomheder og initiativer",
    "agreements": "Samarbejdsaftaler",
    "citizens": "Borgere",
    "courses": "Forløb",
    "progression": "Progression",
    "jobs": "Job",
    "learnings": "Læringer",
    "status_weekly": "Ugestatus",
    "finances": "Regnskaber",
    "fundraising": "Fundraising",
    "pilots": "Piloter og forsøg",
    "partnerships": "Partnerskaber",
    "circular": "Cirkulær økonomi",
}
"""Danish names of the data tables (the workbook's sheets, the method section's data sizes)."""

LABELS: dict[str, str] = {
    # columns
    "year": "År",
    "agreement_id": "Samarbejdsaftale",
    "agreement": "Samarbejdsaftale",
    "enterprise_id": "Virksomhed",
    "enterprise": "Virksomhed/initiativ",
    "name": "Navn",
    "kind": "Type",
    "target_group": "Målgruppe",
    "job_type": "Jobtype",
    "end_status": "Status efter forløb",
    "start_step": "Trin ved start",
    "end_step": "Trin ved slut",
    "jobs": "Borgere i job",
    "started": "Forløb startet",
    "ended": "Forløb afsluttet",
    "progressed": "Progression (mindst ét trin)",
    "progressed_share": "Andel med progression",
    "dropped_out": "Frafald",
    "dropout_share": "Andel frafald",
    "mean_hours_change": "Ændring i ugentlige lønnede timer (gns.)",
    "active": "Aktive ved årets udgang",
    "three_bottom_lines": "Med tre bundlinjer",
    "rsv": "Registreret socialøkonomisk virksomhed (RSV)",
    "first_generation": "1. generation (før 2022)",
    "second_generation": "2. generation (fra 2022)",
    "founded": "Startet i året",
    "closed": "Lukket i året",
    "n": "Antal",
    "share": "Andel",
    "norm": "Norm",
    "target": "Mål",
    "status": "Status",
    "total": "I alt",
}

# categories' display labels (capitalised Danish); unknown codes display as themselves
CATEGORY_LABELS: dict[str, str] = {
    "ressourceforløb": "Ressourceforløb",
    "kontanthjælp": "Kontanthjælp",
    "fleksjob": "Fleksjob",
    "integration": "Integration",
    "unge": "Unge (uddannelseshjælp)",
    "motivation": "Motivation/opkvalificering",
    "afklaring": "Afklaring",
    "praktik": "Praktik",
    "småjob": "Småjob",
    "flere timer": "Flere timer",
    "job": "Job",
    "uddannelse": "Uddannelse",
    "frafald": "Frafald",
    "andet": "Andet (fx sygdom, flytning)",
    "ordinært job": "Ordinært job",
    "deltidsjob": "Deltidsjob",
    "elev/lærling": "Elev/lærling",
    "virksomhed": "Virksomhed",
    "initiativ": "Initiativ",
    "forening": "Forening",
    "k": "Kvinde",
    "m": "Mand",
    "dansk": "Dansk oprindelse",
    "vestlig": "Vestlig oprindelse",
    "ikke-vestlig": "Ikke-vestlig oprindelse",
    "skævt": "Det skæve",
    "uventet": "Det uventede",
    "læring": "Læring",
    "korrektion": "Korrektion",
}


def label(name: str) -> str:
    """Danish label for a column or category code (the name itself if none is known)."""
    return LABELS.get(name) or CATEGORY_LABELS.get(name) or name


def table_label(name: str) -> str:
    """Danish name of a data table (the name itself if none is known)."""
    return TABLE_LABELS.get(name, name)


def category_label(code: object) -> str:
    """Danish display label for one category code."""
    return CATEGORY_LABELS.get(str(code), str(code))
