"""so-eval: the evaluation workbench for Slagelse Kommune's strategy for the social economy.

The top-level names are imported on first use, so that ``so-eval --help`` starts fast.

>>> import so_eval
>>> ds = so_eval.load("data/demo")           # doctest: +SKIP
"""

from __future__ import annotations

from importlib import import_module

_LAZY = {
    "Dataset": "so_eval.dataset",
    "Problem": "so_eval.loading",
    "ValidationError": "so_eval.loading",
    "load": "so_eval.loading",
    "validate": "so_eval.loading",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'so_eval' has no attribute {name!r}")
