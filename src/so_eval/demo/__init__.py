"""The synthetic demo data: the core tables (:mod:`~so_eval.demo.core`), the value tables
(:mod:`~so_eval.demo.value`), the national-scale replicates (:mod:`~so_eval.demo.national`) and the
data-generating process of the weekly status panel (:mod:`~so_eval.demo.dgp`)."""
