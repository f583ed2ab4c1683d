"""The words of the Excel template: Danish sheet names and column headers, the explanation and
example of every column, and the help sheet's introduction.

The Danish headers here are the single place where column codes meet the headers users see:
:mod:`so_eval.data.template` writes them, :mod:`so_eval.data.ingest` reads them back and words
its messages with them.
"""

from __future__ import annotations

from so_eval.data.model import WITHDRAWN

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
REGISTERED_HELP = "Dato rækken blev registreret. Tom = indlæsningsdagen."
"""The explanation of every table's ``registered`` column."""
WITHDRAWN_HELP = (
    "ja hvis rækken blev indtastet ved en fejl og skal trækkes tilbage (indlæs med "
    "--update); ellers tom. Intet slettes: rækken tælles ikke med fra den dag."
)
for _table in EXPLANATIONS.values():
    _table[WITHDRAWN] = WITHDRAWN_HELP


EXAMPLES: dict[str, str] = {
    "enterprise_id": "V001",
    "name": "Café Et",
    "job_id": "J0001",
    "withdrawn": "",
    "agreement_id": "SA001",
    "course_id": "F00001",
    "citizen_id": "010180-1234",
    "birth_year": "1985",
    "places": "5",
    "price": "125000,50",
    "weekly_paid_hours": "12,5",
    "weekly_hours": "37",
    "year": "2024",
    "area": "goal1",
    "text": "En læring om job.",
    "figure_key": "goal1.jobs",
    "sdg_goals": "8;17",
    "target_groups": "kontanthjælp;fleksjob",
    "steps_offered": "afklaring;praktik",
    "application_id": "ANS001",
    "giver_id": "G001",
    "purpose": "Nyt værksted",
    "pilot_id": "PI001",
    "title": "Reparationscafé",
    "partner": "Boligselskabet Vest",
    "partner_sectors": "boligselskab;frivillig",
}

KIND_LABELS = {
    "date": "dato (dd-mm-åååå)",
    "bool": "ja/nej",
    "int": "heltal",
    "float": "tal (komma som decimaltegn)",
    "list": "liste (adskilt af ;)",
    "text": "tekst",
}
"""Each kind of column in words (the help sheet's column "Type")."""

INTRO = [
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
"""The help sheet's introduction, one line (cell) each."""
