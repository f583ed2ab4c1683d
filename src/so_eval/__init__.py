"""so-eval: the evaluation workbench for Slagelse Kommune's strategy for the social economy.

The top-level names are imported on first use, so that ``so-eval --help`` starts fast (the
data layer needs pandas and pandera). ``__version__`` is the installed package's version, set in
one place: ``pyproject.toml``.

>>> import so_eval
>>> ds = so_eval.load("data/demo")           # doctest: +SKIP
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("so-eval")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "unknown"

_LAZY = {
    "Dataset": "so_eval.data.dataset",
    "Problem": "so_eval.data.loading",
    "ValidationError": "so_eval.data.loading",
    "load": "so_eval.data.loading",
    "validate": "so_eval.data.loading",
}

__all__ = ["__version__", *sorted(_LAZY)]


def lazy_getattr(package: str, names: dict[str, str], namespace: dict):
    """A module ``__getattr__`` that imports each of ``names`` (name → module) on first use and
    keeps it in ``namespace`` (the module's globals), so the package itself imports fast."""

    def __getattr__(name: str):
        if name in names:
            value = getattr(import_module(names[name]), name)
            namespace[name] = value
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__


__getattr__ = lazy_getattr("so_eval", _LAZY, globals())
