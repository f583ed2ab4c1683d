from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# In CI the property-based tests draw the same examples on every run (a red CI is then a real,
# reproducible failure); locally they explore new examples each run.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

sys.path.insert(0, str(Path(__file__).parent))

from tiny import write_tiny  # noqa: E402


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    return write_tiny(tmp_path / "tiny")


@pytest.fixture
def tiny(tiny_dir: Path):
    from so_eval import load

    return load(tiny_dir)


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    """The demo dataset (default seed), written once per test session."""
    from so_eval.demo.core import write_demo

    return write_demo(tmp_path_factory.mktemp("demo") / "demo")


@pytest.fixture(scope="session")
def demo(demo_dir: Path):
    from so_eval import load

    return load(demo_dir)
