"""The synthetic demo data, deterministic from a seed.

- :mod:`~so_eval.demo.core` -- the demo dataset: enterprises, agreements, citizens and courses,
  the truth about them, and :func:`~so_eval.demo.core.write_demo`;
- :mod:`~so_eval.demo.course_outcomes` -- what becomes of the courses: jobs, end statuses, late
  registrations, job changes and progression steps;
- :mod:`~so_eval.demo.panel` -- the weekly status panel with the planted effect, and the effect's truth;
- :mod:`~so_eval.demo.dgp` -- the data-generating process of the status panel;
- :mod:`~so_eval.demo.value` -- the value tables (finances, pilots, partnerships, circular output),
  with :mod:`~so_eval.demo.fundraising` for the fundraising table;
- :mod:`~so_eval.demo.national` -- the national-scale replicates of the effect tables;
- :mod:`~so_eval.demo.dates` -- the story's dates and random days;
- :mod:`~so_eval.demo.formats` -- the demo's CSV and Parquet files.
"""
