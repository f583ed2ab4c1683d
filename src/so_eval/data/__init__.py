"""The data layer: the data model, datasets, loading and validation, ingest, the template, pseudonyms.

- :mod:`~so_eval.data.model`, :mod:`~so_eval.data.model_value`, :mod:`~so_eval.data.spec` -- one declared
  schema per table and the relations between tables (with the status constants);
- :mod:`~so_eval.data.dataset` -- the frozen :class:`~so_eval.data.dataset.Dataset`;
- :mod:`~so_eval.data.loading` -- reading and validating a dataset folder;
- :mod:`~so_eval.data.ingest` -- workbooks and exports into a dataset folder, safely;
- :mod:`~so_eval.data.template` -- the coordinator's Excel workbook;
- :mod:`~so_eval.data.pseudonym` -- CPR numbers replaced by keyed pseudonyms.
"""
