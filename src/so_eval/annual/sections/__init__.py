"""The annual report's sections, one per module: each a small class with ``record(ledger)`` and
``block()`` (see :mod:`~so_eval.annual.sections.base`), listed in
:data:`so_eval.annual.report.SECTION_CLASSES`.

- ``base`` -- the ``ReportContext`` the sections share, the ``Section`` base class, helpers;
- ``title`` -- the title and the table of contents; ``intro`` -- Indledning and the overview;
- ``goal1``, ``goal2``, ``goal3`` -- Målopnåelse, one module per goal;
- ``goal_completeness`` -- how complete the goals' tables are (*foreløbige* figures), with the
  helpers in ``completeness``; ``projections`` -- each goal's path to its target;
- ``reach`` and ``value_creation`` -- Værdiskabelse, its subsections in ``value/``;
- ``effect`` -- the headline effect estimate;
- ``successes`` -- what went well and what did not; ``skewed`` -- the skewed and the
  unexpected, the learnings, and (from ``corrections``) the corrections to last year's figures;
- ``method`` -- Metode og data.
"""
