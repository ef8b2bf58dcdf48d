"""Helpers shared by the participatory-budgeting tests (plain module: no Django, no fixtures)."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pabulib_dir() -> Path:
    """Directory of the shared real pabulib files (override with COPRODUCE_PABULIB_DIR)."""
    env = os.environ.get("COPRODUCE_PABULIB_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3].parent / "shared/data/pabulib"


#: The MES engine's two inner loops (see the kernel_path fixture).
PATHS = ("compiled", "numpy")

DATA = pabulib_dir()
HAVE_DATA = (DATA / "expected_outcomes.json").is_file()
needs_data = pytest.mark.skipif(
    not HAVE_DATA,
    reason=f"shared pabulib data not found in {DATA} (set COPRODUCE_PABULIB_DIR to run)",
)


@cache
def expected_outcomes() -> dict:
    if not HAVE_DATA:
        return {}
    return json.loads((DATA / "expected_outcomes.json").read_text(encoding="utf-8"))


def data_files() -> list[str]:
    """The shared .pb files (from expected_outcomes.json, or the directory listing)."""
    if HAVE_DATA:
        return sorted(expected_outcomes())
    return []
