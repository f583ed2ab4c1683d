"""so-eval: the evaluation workbench for Slagelse Kommune's strategy for the social economy.

>>> import so_eval
>>> ds = so_eval.load("data/demo")           # doctest: +SKIP
"""

from so_eval.dataset import Dataset
from so_eval.load import Problem, ValidationError, load, validate

__all__ = ["Dataset", "Problem", "ValidationError", "load", "validate"]
