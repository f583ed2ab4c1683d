"""The data layer: the data model, datasets, loading and validation, ingest, the template, pseudonyms.

- :mod:`~so_eval.data.model`, :mod:`~so_eval.data.model_value`, :mod:`~so_eval.data.spec` -- one declared
  schema per table and the relations between tables (with the weekly status constants);
- :mod:`~so_eval.data.dataset` -- the frozen :class:`~so_eval.data.dataset.Dataset`;
- :mod:`~so_eval.data.loading` -- reading and validating a dataset folder (``load``, ``validate``), with
  :mod:`~so_eval.data.schema_check` (one table against its schema) and :mod:`~so_eval.data.rules` (the
  other rules: versions, lists, dates, references, CPR numbers);
- :mod:`~so_eval.data.ingest` -- workbooks and exports into a dataset folder, safely (a package: read,
  sources, names, values, merge, write, results, run);
- :mod:`~so_eval.data.template` -- the coordinator's Excel workbook, with its words in
  :mod:`~so_eval.data.template_text`;
- :mod:`~so_eval.data.pseudonym` -- CPR numbers replaced by keyed pseudonyms.
"""
