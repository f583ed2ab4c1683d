"""A small hand-made dataset whose metric answers are worked out by hand in the tests.

Year of interest: 2024. See the comments for what each row is there to test.
"""

from __future__ import annotations

from pathlib import Path

TABLES = {
    "enterprises": """enterprise_id,name,kind,founded,closed,rsv_registered,social,local,economic,\
sdg_goals,circular,registered
E1,Café Et,virksomhed,2015-03-01,,true,true,true,true,8;17,false,2015-03-05
E2,Initiativ To,initiativ,2022-06-01,2024-05-31,false,true,true,true,17,false,2022-06-02
E3,Forening Tre,forening,2024-02-01,,false,true,true,false,,true,2024-02-03
E4,Værksted Fire,virksomhed,2024-12-31,,false,true,true,true,4,false,2025-01-02
E5,Butik Fem,virksomhed,2020-01-01,2024-12-31,false,true,true,true,,false,2020-01-02
""",
    "agreements": """agreement_id,enterprise_id,start,end,places,target_groups,steps_offered,price,registered
A1,E1,2020-01-01,,5,kontanthjælp;fleksjob,afklaring;praktik,100000,2019-12-15
A2,E2,2022-07-01,2024-05-31,3,unge,motivation;afklaring,50000,2022-06-20
A3,E5,2021-01-01,2024-12-31,4,kontanthjælp;ressourceforløb,afklaring;småjob,80000,2020-12-20
""",
    "citizens": """citizen_id,birth_year,gender,target_group,origin,registered
C1,1980,k,kontanthjælp,dansk,2019-01-01
C2,1975,m,fleksjob,dansk,2019-01-01
C3,2003,k,unge,dansk,2019-01-01
C4,2004,m,unge,ikke-vestlig,2019-01-01
C5,1990,k,integration,ikke-vestlig,2019-01-01
C6,1985,m,kontanthjælp,vestlig,2019-01-01
C7,1970,k,ressourceforløb,,2019-01-01
""",
    "courses": """course_id,citizen_id,agreement_id,start,end,start_step,end_step,end_status,registered
K1,C1,A1,2023-09-01,2024-03-31,motivation,job,job,2023-09-02
K2,C2,A1,2024-02-01,2024-08-31,afklaring,småjob,småjob,2024-02-02
K3,C3,A2,2023-11-01,2024-04-30,motivation,uddannelse,uddannelse,2023-11-02
K4,C4,A2,2024-01-15,2024-05-15,afklaring,afklaring,frafald,2024-01-16
K5,C5,A1,2024-03-01,,praktik,,,2024-03-02
K6,C6,A1,2024-06-01,2025-01-10,motivation,praktik,praktik,2024-06-02
K7,C1,A3,2024-05-01,2024-11-30,afklaring,flere timer,flere timer,2024-05-02
K8,C7,A3,2023-01-10,2023-12-20,motivation,afklaring,afklaring,2023-01-11
""",
    "progression": """citizen_id,course_id,date,step,weekly_paid_hours,registered
C1,K1,2023-09-01,motivation,0,2023-09-02
C1,K1,2024-01-10,praktik,0,2024-01-11
C1,K1,2024-03-31,job,37,2024-04-01
C2,K2,2024-02-01,afklaring,0,2024-02-02
C2,K2,2024-08-31,småjob,8,2024-09-01
C3,K3,2023-11-01,motivation,0,2023-11-02
C3,K3,2024-04-30,uddannelse,0,2024-05-01
C4,K4,2024-01-15,afklaring,0,2024-01-16
C5,K5,2024-03-01,praktik,0,2024-03-02
C6,K6,2024-06-01,motivation,0,2024-06-02
C6,K6,2025-01-10,praktik,0,2025-01-11
C1,K7,2024-05-01,afklaring,5,2024-05-02
C1,K7,2024-11-30,flere timer,20,2024-12-01
C7,K8,2023-01-10,motivation,0,2023-01-11
C7,K8,2023-12-20,afklaring,0,2023-12-21
""",
    "jobs": """job_id,citizen_id,course_id,start,end,job_type,weekly_hours,registered
J1,C1,K1,2024-04-10,,ordinært job,37,2024-04-12
J2,C2,K2,2024-09-05,,småjob,8,2025-02-01
J3,C1,K7,2024-12-01,,deltidsjob,20,2024-12-03
J4,C7,K8,2023-12-28,2024-06-30,fleksjob,15,2024-01-05
J5,C6,K6,2025-01-20,,ordinært job,37,2025-01-22
""",
    "learnings": """year,area,kind,text,figure_key,registered
2024,goal1,læring,En læring om job.,goal1.jobs,2025-01-10
2023,goal3,uventet,Noget uventet.,,2024-01-10
""",
}


def write_tiny(folder: Path, **replace: str) -> Path:
    """Write the tiny dataset to ``folder``; ``replace`` swaps a table's CSV text."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {**TABLES, **replace}.items():
        if text is None:
            continue
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


# -- the weekly status panel -------------------------------------------------------------------
# Two citizens who never took part are added (C8, C9). In the window 2024-01-01..2024-01-31 the
# only first course is K4 (C4, starts Monday 2024-01-15), so both controls get the placebo entry
# week 2024-01-15 too. Week k after entry is the Monday 2024-01-15 + (k-1) weeks.
EXTRA_CITIZENS = "C8,1982,m,kontanthjælp,dansk,2019-01-01\nC9,2002,k,unge,dansk,2019-01-01\n"
PANEL_START = "2022-01-17"  # 104 weeks before 2024-01-15
PANEL_WEEKS = 104 + 52  # to 2025-01-06: weeks 53-104 after entry are not observable
ENTRY = "2024-01-15"


def status_panel():
    """C4: uddannelse k=1-6, selvforsørgelse k=7-19, kontanthjælp k=20-26, selvforsørgelse k=27-52;
    before entry: 4 weeks 'andet' and 2 'uddannelse' among the 52 weeks before, sygedagpenge in
    weeks 53-104 before. C8: selvforsørgelse k=1-2 and k=27, no rows for k=30-31, else
    kontanthjælp. C9 and everyone else: kontanthjælp every week."""
    import pandas as pd

    weeks = pd.date_range(PANEL_START, periods=PANEL_WEEKS, freq="7D")
    entry = pd.Timestamp(ENTRY)
    rows = []
    for cid in ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"]:
        for w in weeks:
            k = (w - entry).days // 7 + 1  # week after entry (1 = entry week); <= 0 before
            status = "kontanthjælp"
            if cid == "C4":
                if 1 <= k <= 6:
                    status = "uddannelse"
                elif 7 <= k <= 19 or 27 <= k <= 52:
                    status = "selvforsørgelse"
                elif -3 <= k <= 0:
                    status = "andet"
                elif k in (-5, -4):
                    status = "uddannelse"
                elif k <= -52:
                    status = "sygedagpenge"
            if cid == "C8":
                if k in (30, 31):
                    continue
                if k in (1, 2, 27):
                    status = "selvforsørgelse"
            rows.append((cid, w, status, w + pd.Timedelta(days=14)))
    return pd.DataFrame(rows, columns=["citizen_id", "week", "status", "registered"])


def write_tiny_with_panel(folder: Path) -> Path:
    folder = write_tiny(folder, citizens=TABLES["citizens"] + EXTRA_CITIZENS)
    status_panel().to_parquet(folder / "status_weekly.parquet", index=False)
    return folder
