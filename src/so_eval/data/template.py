"""The Excel template the coordinator fills in, with Danish sheet names and column headers.

:func:`write_template` writes one sheet per table of :data:`so_eval.data.model.TABLES` except
``status_weekly`` (the weekly benefit status comes as a CSV/Parquet export), a help sheet
(``Hjælp``) explaining every column, drop-down lists for every category column (and ja/nej for
yes/no columns), and dd-mm-yyyy date formats. :mod:`so_eval.data.ingest` reads the filled workbook
back; the Danish headers below are the single place where column codes meet the headers users
see.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

from so_eval import glossary as g
from so_eval.files import atomic_write_bytes
from so_eval.data.model import TABLES, WITHDRAWN, stored_columns

# -- sheet names and column headers ----------------------------------------------------------

SHEETS: dict[str, str] = {
    "enterprises": "Virksomheder",
    "agreements": "Samarbejdsaftaler",
    "citizens": "Borgere",
    "courses": "Forløb",
    "progression": "Progression",
    "jobs": "Job",
    "learnings": "Læringer",
    "status_weekly": "Ugestatus",
    "finances": "Økonomi",
    "fundraising": "Fundraising",
    "pilots": "Piloter",
    "partnerships": "Partnerskaber",
    "circular": "Cirkulær økonomi",
}
"""Table code → sheet name in the workbook (``status_weekly`` is not in the template)."""

TEMPLATE_TABLES: tuple[str, ...] = tuple(t for t in TABLES if t != "status_weekly")
"""The tables that have a sheet in the template, in load order."""

HELP_SHEET = "Hjælp"
LISTS_SHEET = "Lister"

CITIZEN_HEADER = "Borger-ID (CPR eller pseudonym)"

HEADERS: dict[str, dict[str, str]] = {
    "enterprises": {
        "enterprise_id": "Virksomheds-ID",
        "name": "Navn",
        "kind": "Type",
        "founded": "Startdato",
        "closed": "Lukkedato",
        "rsv_registered": "Registreret socialøkonomisk virksomhed (RSV)",
        "social": "Social bundlinje",
        "local": "Lokal bundlinje",
        "economic": "Økonomisk bundlinje",
        "sdg_goals": "Verdensmål",
        "circular": "Cirkulær økonomi",
        "registered": "Registreringsdato",
    },
    "agreements": {
        "agreement_id": "Aftale-ID",
        "enterprise_id": "Virksomheds-ID",
        "start": "Startdato",
        "end": "Slutdato",
        "places": "Antal pladser",
        "target_groups": "Målgrupper",
        "steps_offered": "Trin i værdikæden",
        "price": "Pris (kr.)",
        "registered": "Registreringsdato",
    },
    "citizens": {
        "citizen_id": CITIZEN_HEADER,
        "birth_year": "Fødselsår",
        "gender": "Køn",
        "target_group": "Målgruppe",
        "origin": "Oprindelse",
        "registered": "Registreringsdato",
    },
    "courses": {
        "course_id": "Forløbs-ID",
        "citizen_id": CITIZEN_HEADER,
        "agreement_id": "Aftale-ID",
        "start": "Startdato",
        "end": "Slutdato",
        "start_step": "Trin ved start",
        "end_step": "Trin ved slut",
        "end_status": "Status efter forløb",
        "registered": "Registreringsdato",
    },
    "progression": {
        "citizen_id": CITIZEN_HEADER,
        "course_id": "Forløbs-ID",
        "date": "Dato",
        "step": "Trin",
        "weekly_paid_hours": "Lønnede timer pr. uge",
        "registered": "Registreringsdato",
    },
    "jobs": {
        "job_id": "Job-ID",
        "citizen_id": CITIZEN_HEADER,
        "course_id": "Forløbs-ID",
        "start": "Startdato",
        "end": "Slutdato",
        "job_type": "Jobtype",
        "weekly_hours": "Timer pr. uge",
        "registered": "Registreringsdato",
    },
    "learnings": {
        "year": "År",
        "area": "Område",
        "kind": "Type",
        "text": "Tekst",
        "figure_key": "Tal-nøgle",
        "registered": "Registreringsdato",
    },
    "status_weekly": {
        "citizen_id": CITIZEN_HEADER,
        "week": "Uge (mandag)",
        "status": "Status",
        "registered": "Registreringsdato",
    },
    "finances": {
        "enterprise_id": "Virksomheds-ID",
        "year": "År",
        "revenue_private_sales": "Indtægt fra privat salg (kr.)",
        "revenue_public_contracts": "Indtægt fra offentlige kontrakter (kr.)",
        "revenue_foundations": "Indtægt fra fonde og puljer (kr.)",
        "revenue_donations": "Indtægt fra donationer (kr.)",
        "revenue_other": "Andre indtægter (kr.)",
        "costs": "Omkostninger i alt (kr.)",
        "local_purchases": "Lokale indkøb (kr.)",
        "registered": "Registreringsdato",
    },
    "fundraising": {
        "application_id": "Ansøgnings-ID",
        "enterprise_id": "Virksomheds-ID",
        "giver_id": "Giver-ID",
        "giver_type": "Givertype",
        "purpose": "Formål",
        "submitted": "Indsendt",
        "decided": "Afgjort",
        "applied": "Ansøgt beløb (kr.)",
        "granted": "Bevilget beløb (kr.)",
        "digital": "Digital",
        "via_fundraiser": "Via fundraiser",
        "fee": "Honorar til fundraiser (kr.)",
        "registered": "Registreringsdato",
    },
    "pilots": {
        "pilot_id": "Pilot-ID",
        "enterprise_id": "Virksomheds-ID",
        "kind": "Type",
        "title": "Titel",
        "start": "Startdato",
        "end": "Slutdato",
        "decided": "Beslutningsdato",
        "status": "Status",
        "partner_sectors": "Partnersektorer",
        "sdg_goals": "Verdensmål",
        "registered": "Registreringsdato",
    },
    "partnerships": {
        "enterprise_id": "Virksomheds-ID",
        "partner": "Partner",
        "partner_sector": "Partnersektor",
        "start": "Startdato",
        "end": "Slutdato",
        "volunteers": "Antal frivillige",
        "volunteer_hours": "Frivillige timer pr. år",
        "registered": "Registreringsdato",
    },
    "circular": {
        "enterprise_id": "Virksomheds-ID",
        "year": "År",
        "items_repaired": "Reparerede genstande",
        "kg_reused": "Genbrugt (kg)",
        "citizen_courses": "Borgerkurser",
        "registered": "Registreringsdato",
    },
}
WITHDRAWN_HEADER = "Trukket tilbage"
for _headers in HEADERS.values():
    _headers[WITHDRAWN] = WITHDRAWN_HEADER
"""Per table: column code → the Danish header in the template (and in error messages); every
table also has the column ``withdrawn`` ("Trukket tilbage")."""

EXPLANATIONS: dict[str, dict[str, str]] = {
    "enterprises": {
        "enterprise_id": "Jeres eget korte ID for virksomheden/initiativet, fx V001. Må ikke ændres senere.",
        "name": "Virksomhedens eller initiativets navn.",
        "kind": "Virksomhed, initiativ eller forening.",
        "founded": "Dato for opstart.",
        "closed": "Dato for lukning; tom hvis den stadig er i gang.",
        "rsv_registered": "Registreret som socialøkonomisk virksomhed (RSV, lov nr. 711 af 25.6.2014).",
        "social": "Arbejder med en social bundlinje.",
        "local": "Arbejder med en lokal bundlinje.",
        "economic": "Arbejder med en økonomisk bundlinje.",
        "sdg_goals": "FN's verdensmål (1-17), adskilt af semikolon, fx 8;17. Tom hvis ingen.",
        "circular": "Arbejder med cirkulær økonomi.",
    },
    "agreements": {
        "agreement_id": "Jeres eget ID for samarbejdsaftalen, fx SA001.",
        "enterprise_id": "Virksomheds-ID fra arket Virksomheder.",
        "start": "Aftalens startdato.",
        "end": "Aftalens slutdato; tom hvis den løber endnu.",
        "places": "Antal pladser i aftalen.",
        "target_groups": "Målgrupper, adskilt af semikolon, fx kontanthjælp;fleksjob.",
        "steps_offered": "Trin i værdikæden aftalen tilbyder, adskilt af semikolon, fx afklaring;praktik.",
        "price": "Aftalens pris i kroner (komma eller punktum som decimaltegn).",
    },
    "citizens": {
        "citizen_id": "CPR-nummer (DDMMÅÅ-SSSS) eller et pseudonym. CPR-numre erstattes af et "
        "pseudonym ved indlæsning og gemmes aldrig.",
        "birth_year": "Borgerens fødselsår, fx 1985.",
        "gender": "k (kvinde) eller m (mand).",
        "target_group": "Borgerens målgruppe i Jobcentret.",
        "origin": "Oprindelse; tom hvis ukendt.",
    },
    "courses": {
        "course_id": "Jeres eget ID for forløbet, fx F00001.",
        "citizen_id": "Borgerens CPR-nummer eller pseudonym (som i arket Borgere).",
        "agreement_id": "Aftale-ID fra arket Samarbejdsaftaler.",
        "start": "Forløbets startdato.",
        "end": "Forløbets slutdato; tom hvis forløbet er i gang.",
        "start_step": "Borgerens trin i værdikæden ved start.",
        "end_step": "Borgerens trin ved slut; udfyldes når forløbet er slut.",
        "end_status": "Hvor borgeren er efter forløbet; udfyldes når forløbet er slut.",
    },
    "progression": {
        "citizen_id": "Borgerens CPR-nummer eller pseudonym.",
        "course_id": "Forløbs-ID fra arket Forløb.",
        "date": "Dato hvor borgeren nåede trinnet.",
        "step": "Trinnet i værdikæden.",
        "weekly_paid_hours": "Lønnede timer pr. uge fra denne dato (0 hvis ingen).",
    },
    "jobs": {
        "job_id": "Jeres eget ID for jobbet, fx J0001. Bruges når jobbet senere skal rettes; må ikke ændres.",
        "citizen_id": "Borgerens CPR-nummer eller pseudonym.",
        "course_id": "Det forløb jobbet kom efter (Forløbs-ID).",
        "start": "Jobbets startdato.",
        "end": "Jobbets slutdato; tom hvis borgeren stadig er i jobbet.",
        "job_type": "Jobtype.",
        "weekly_hours": "Timer pr. uge i jobbet.",
    },
    "learnings": {
        "year": "Det år læringen hører til, fx 2024.",
        "area": "Område, fx goal1, goal2 eller goal3.",
        "kind": "Det skæve, det uventede, en læring eller en korrektion.",
        "text": "Teksten til årsrapporten. Skriv aldrig navne eller CPR-numre.",
        "figure_key": "Nøglen til et tal i rapporten (fra figures.csv), fx goal1.jobs; tom hvis ingen.",
    },
    "status_weekly": {
        "citizen_id": "Borgerens CPR-nummer eller pseudonym.",
        "week": "Mandagen i ugen.",
        "status": "Borgerens ydelses- eller selvforsørgelsesstatus i ugen.",
    },
    "finances": {
        "enterprise_id": "Virksomheds-ID fra arket Virksomheder.",
        "year": "Regnskabsåret, fx 2024. Én række pr. virksomhed og år.",
        "revenue_private_sales": "Indtægter fra salg til private og virksomheder.",
        "revenue_public_contracts": "Indtægter fra offentlige kontrakter, inkl. Jobcentrets samarbejdsaftaler.",
        "revenue_foundations": "Indtægter fra fonde og puljer.",
        "revenue_donations": "Indtægter fra donationer.",
        "revenue_other": "Andre indtægter.",
        "costs": "Omkostninger i alt.",
        "local_purchases": "Indkøb hos lokale leverandører.",
    },
    "fundraising": {
        "application_id": "Jeres eget ID for ansøgningen eller donationen.",
        "enterprise_id": "Virksomheds-ID fra arket Virksomheder.",
        "giver_id": "Jeres eget ID for giveren (så gentagne donationer kan ses).",
        "giver_type": "Type af giver.",
        "purpose": "Hvad pengene søges til.",
        "submitted": "Dato ansøgningen blev sendt (eller donationen modtaget).",
        "decided": "Dato for afgørelsen; tom mens den afventes og for donationer.",
        "applied": "Ansøgt beløb; tom for uopfordrede donationer.",
        "granted": "Bevilget beløb; 0 ved afslag, tom mens afgørelsen afventes.",
        "digital": "Søgt eller modtaget digitalt.",
        "via_fundraiser": "Søgt via den professionelle fundraiser (no cure, no pay).",
        "fee": "Fundraiserens honorar (0 hvis intet).",
    },
    "pilots": {
        "pilot_id": "Jeres eget ID for piloten eller prøvehandlingen.",
        "enterprise_id": "Virksomheds-ID; tom for prøvehandlinger på tværs af sektorer.",
        "kind": "Pilot eller prøvehandling.",
        "title": "Kort titel.",
        "start": "Startdato.",
        "end": "Slutdato; tom hvis den er i gang.",
        "decided": "Dato for beslutning om at skalere, videreføre eller stoppe.",
        "status": "Seneste status.",
        "partner_sectors": "Partnersektorer, adskilt af semikolon.",
        "sdg_goals": "FN's verdensmål (1-17), adskilt af semikolon.",
    },
    "partnerships": {
        "enterprise_id": "Virksomheds-ID fra arket Virksomheder.",
        "partner": "Partnerens navn (en organisation, aldrig en borger).",
        "partner_sector": "Partnerens sektor.",
        "start": "Startdato.",
        "end": "Slutdato; tom hvis partnerskabet løber endnu.",
        "volunteers": "Antal frivillige partnerskabet engagerer.",
        "volunteer_hours": "Frivillige timer i et typisk år.",
    },
    "circular": {
        "enterprise_id": "Virksomheds-ID fra arket Virksomheder.",
        "year": "Året, fx 2024. Én række pr. virksomhed og år.",
        "items_repaired": "Antal reparerede genstande.",
        "kg_reused": "Kilo genbrugt.",
        "citizen_courses": "Antal borgerkurser med affaldsselskabet.",
    },
}
_REGISTERED_HELP = "Dato rækken blev registreret. Tom = indlæsningsdagen."
_WITHDRAWN_HELP = ("ja hvis rækken blev indtastet ved en fejl og skal trækkes tilbage (indlæs med "
                   "--update); ellers tom. Intet slettes: rækken tælles ikke med fra den dag.")
for _table in EXPLANATIONS.values():
    _table[WITHDRAWN] = _WITHDRAWN_HELP

EXAMPLES: dict[str, str] = {
    "enterprise_id": "V001", "name": "Café Et", "job_id": "J0001", "withdrawn": "", "agreement_id": "SA001", "course_id": "F00001",
    "citizen_id": "010180-1234", "birth_year": "1985", "places": "5", "price": "125000,50",
    "weekly_paid_hours": "12,5", "weekly_hours": "37", "year": "2024", "area": "goal1",
    "text": "En læring om job.", "figure_key": "goal1.jobs", "sdg_goals": "8;17",
    "target_groups": "kontanthjælp;fleksjob", "steps_offered": "afklaring;praktik",
    "application_id": "ANS001", "giver_id": "G001", "purpose": "Nyt værksted", "pilot_id": "PI001",
    "title": "Reparationscafé", "partner": "Boligselskabet Vest", "partner_sectors": "boligselskab;frivillig",
}

DATE_FORMAT = "DD-MM-YYYY"
MAX_ROWS = 5000
"""Rows (below the header) that get drop-down lists and formats."""

_BOOL_VALUES = ("ja", "nej")


# -- column facts ----------------------------------------------------------------------------


def column_kind(table: str, column: str) -> str:
    """``"date"``, ``"bool"``, ``"int"``, ``"float"``, ``"list"`` or ``"text"``."""
    if column == WITHDRAWN:
        return "bool"
    spec = TABLES[table]
    dtype = spec.column_dtype(column)
    if "datetime" in dtype:
        return "date"
    if dtype == "bool":
        return "bool"
    if "int" in dtype:
        return "int"
    if "float" in dtype:
        return "float"
    if column in spec.list_columns:
        return "list"
    return "text"


def allowed_values(table: str, column: str) -> tuple[str, ...] | None:
    """The allowed category codes of a column (from the schema's ``isin`` check), or None."""
    spec = TABLES[table]
    if column == WITHDRAWN:
        return None
    if column in spec.list_columns:
        return tuple(str(v) for v in spec.list_columns[column])
    for check in spec.model.to_schema().columns[column].checks:
        if check.name == "isin":
            return tuple(str(v) for v in check.statistics["allowed_values"])
    return None


def is_required(table: str, column: str) -> bool:
    """True if the column must be filled in (``registered`` defaults to the ingest date)."""
    if column in ("registered", WITHDRAWN):
        return False
    return not TABLES[table].model.to_schema().columns[column].nullable


def header(table: str, column: str) -> str:
    """The Danish header of a column (the code itself if none is defined)."""
    return HEADERS.get(table, {}).get(column, column)


def sheet_name(table: str) -> str:
    """The sheet name of a table (its Danish label, or the code, if none is defined)."""
    name = SHEETS.get(table) or g.TABLE_LABELS.get(table) or table
    return re.sub(r"[\\/?*\[\]:]", "-", name)[:31]


_KIND_DA = {
    "date": "dato (dd-mm-åååå)",
    "bool": "ja/nej",
    "int": "heltal",
    "float": "tal (komma som decimaltegn)",
    "list": "liste (adskilt af ;)",
    "text": "tekst",
}


def _example(table: str, column: str) -> str:
    kind = column_kind(table, column)
    if column in EXAMPLES:
        return EXAMPLES[column]
    if kind == "date":
        return "31-12-2024"
    if kind == "bool":
        return "ja"
    allowed = allowed_values(table, column)
    if allowed:
        return allowed[0]
    return ""


def _help_rows() -> list[list[str]]:
    rows = []
    for table in TEMPLATE_TABLES:
        for column in stored_columns(table):
            allowed = allowed_values(table, column)
            kind = column_kind(table, column)
            allowed_text = ", ".join(allowed) if allowed else ("ja, nej" if kind == "bool" else "")
            explanation = (
                _REGISTERED_HELP
                if column == "registered"
                else EXPLANATIONS.get(table, {}).get(column, "")
            )
            rows.append(
                [
                    sheet_name(table),
                    header(table, column),
                    column,
                    _KIND_DA[kind],
                    "ja" if is_required(table, column) else "nej",
                    allowed_text,
                    _example(table, column),
                    explanation,
                ]
            )
    return rows


_INTRO = [
    "Skabelon til indlæsning af data til so-eval (evaluering af strategien for socialøkonomi).",
    (
        "Udfyld ét ark pr. tabel: én række pr. post, overskrifterne i række 1. Omdøb ikke ark "
        "eller overskrifter, og flet ikke celler."
    ),
    (
        "Datoer skrives dd-mm-åååå (fx 31-12-2024). Ja/nej-kolonner: ja eller nej. Tal med komma "
        "som decimaltegn (12,5). Lister adskilles med semikolon (kontanthjælp;fleksjob)."
    ),
    (
        "CPR-numre skrives i kolonnen 'Borger-ID (CPR eller pseudonym)' og erstattes af et "
        "pseudonym, når filen indlæses; de gemmes aldrig. Skriv aldrig navne på borgere."
    ),
    "Indlæs med: so-eval ingest FIL.xlsx --into data/NAVN",
    "",
    "Opdatere, rette og trække tilbage – intet slettes",
    (
        "Hver række har et ID (fx Forløbs-ID, Job-ID). Ændrer I en række, der allerede er indlæst, "
        "så behold ID'et, ret cellerne og indlæs filen igen med --update: so-eval ingest FIL.xlsx "
        "--into data/NAVN --update. Først vises hver ændring (gammel → ny værdi), så gemmes rækken "
        "som en ny version. Den gamle version gemmes også, så en rapport, der allerede er udgivet, "
        "altid kan genskabes med de tal, den havde."
    ),
    (
        "Et forløb er slut: skriv Slutdato, Trin ved slut og Status efter forløb i forløbets række "
        "(samme Forløbs-ID) og indlæs med --update."
    ),
    (
        "En række er forkert (fx en forkert startdato på et job): ret cellen i rækken, behold ID'et, "
        "og indlæs med --update. Næste års rapport viser de tal, der er ændret, med årsagen "
        "'rettet registrering'."
    ),
    (
        "En række er indtastet ved en fejl: skriv ja i kolonnen 'Trukket tilbage' i rækken (ID'et er "
        "nok, de andre celler må stå tomme) og indlæs med --update. Rækken tælles ikke med fra den "
        "dag, men den slettes ikke. Trækker I et forløb tilbage, så træk også dets progression og job "
        "tilbage."
    ),
    (
        "Rækker uden eget ID (Læringer og Partnerskaber; i Progression er dato og trin en del af "
        "ID'et): træk den forkerte række tilbage (skriv den, som den står, med ja i 'Trukket "
        "tilbage') og skriv den rigtige som en ny række."
    ),
    (
        "Registreringsdato for en ny version: rækkens egen Registreringsdato, hvis den er senere end "
        "den gemte versions; ellers den dag, filen indlæses. Uden --update ændres ingen gemt række: "
        "ændringerne vises som konflikter."
    ),
]


# -- writing ---------------------------------------------------------------------------------


def build_workbook():
    """The template as an ``openpyxl.Workbook`` (not saved)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")

    # help sheet
    ws = wb.active
    ws.title = HELP_SHEET
    for i, line in enumerate(_INTRO, start=1):
        ws.cell(row=i, column=1, value=line)
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    top = len(_INTRO) + 2
    titles = ["Ark", "Kolonne", "Kode", "Type", "Påkrævet", "Tilladte værdier", "Eksempel", "Forklaring"]
    for j, title in enumerate(titles, start=1):
        c = ws.cell(row=top, column=j, value=title)
        c.font = bold
        c.fill = fill
    for i, row in enumerate(_help_rows(), start=top + 1):
        for j, value in enumerate(row, start=1):
            c = ws.cell(row=i, column=j, value=value)
            c.number_format = "@"
            c.alignment = Alignment(wrap_text=j in (6, 8), vertical="top")
    for j, width in enumerate([20, 42, 18, 24, 10, 48, 22, 70], start=1):
        ws.column_dimensions[get_column_letter(j)].width = width

    # list sheet (hidden): one column per category list, referenced by the drop-downs
    lists = wb.create_sheet(LISTS_SHEET)
    list_refs: dict[tuple[str, ...], str] = {}

    def list_ref(values: tuple[str, ...]) -> str:
        if values not in list_refs:
            col = len(list_refs) + 1
            letter = get_column_letter(col)
            lists.cell(row=1, column=col, value=", ".join(values)[:60])
            for i, v in enumerate(values, start=2):
                lists.cell(row=i, column=col, value=v).number_format = "@"
            list_refs[values] = (
                f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
            )
        return list_refs[values]

    # one sheet per table
    for table in TEMPLATE_TABLES:
        ws = wb.create_sheet(sheet_name(table))
        ws.freeze_panes = "A2"
        for j, column in enumerate(stored_columns(table), start=1):
            letter = get_column_letter(j)
            h = header(table, column)
            c = ws.cell(row=1, column=j, value=h)
            c.font = bold
            c.fill = fill
            c.alignment = Alignment(wrap_text=True, vertical="top")
            kind = column_kind(table, column)
            note = EXPLANATIONS.get(table, {}).get(column) or _REGISTERED_HELP
            c.comment = Comment(f"{note}\nType: {_KIND_DA[kind]}", "so-eval")
            ws.column_dimensions[letter].width = max(12, min(40, len(h) + 4))
            rng = f"{letter}2:{letter}{MAX_ROWS + 1}"
            if kind == "date":
                ws.column_dimensions[letter].number_format = DATE_FORMAT  # the whole column
            elif kind in ("text", "list"):
                ws.column_dimensions[letter].number_format = "@"  # keeps CPR leading zeros
            values = _BOOL_VALUES if kind == "bool" else allowed_values(table, column)
            if values and kind != "list":
                dv = DataValidation(
                    type="list",
                    formula1=list_ref(tuple(values)),
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle="Ugyldig værdi",
                    error=f"Vælg en af værdierne på listen ({', '.join(values)}).",
                    promptTitle=h[:32],
                    prompt=", ".join(values)[:255],
                    showInputMessage=True,
                )
                dv.add(rng)
                ws.add_data_validation(dv)
    lists.sheet_state = "hidden"
    wb.move_sheet(lists, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(LISTS_SHEET))
    wb.active = 0
    return wb


def write_template(path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Write the Excel template (``.xlsx``) to ``path``.

    Parameters
    ----------
    path
        Where to write the workbook, e.g. ``skabelon.xlsx``.
    overwrite
        Replace an existing file. Without it an existing file is never touched.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.

    Examples
    --------
    >>> from so_eval.data.template import write_template
    >>> write_template("skabelon.xlsx")  # doctest: +SKIP
    PosixPath('skabelon.xlsx')
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(
            f"{path} already exists and was left untouched (it may hold filled-in data); "
            "choose another file name or pass overwrite=True (so-eval template --force)"
        )
    buf = io.BytesIO()
    build_workbook().save(buf)
    atomic_write_bytes(path, buf.getvalue())
    return path


def sheet_names() -> dict[str, str]:
    """Table code → sheet name, for the tables in the template."""
    return {t: sheet_name(t) for t in TEMPLATE_TABLES}


__all__ = [
    "CITIZEN_HEADER",
    "EXPLANATIONS",
    "HEADERS",
    "HELP_SHEET",
    "LISTS_SHEET",
    "SHEETS",
    "TEMPLATE_TABLES",
    "WITHDRAWN_HEADER",
    "allowed_values",
    "build_workbook",
    "column_kind",
    "header",
    "is_required",
    "sheet_name",
    "sheet_names",
    "write_template",
]
