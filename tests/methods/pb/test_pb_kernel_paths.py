"""The compiled kernels are optional: without them the site imports and tallies identically.

A machine where the Cython extension could not be built (no C compiler at install time) runs
the NumPy path. These tests block the extension's import in a fresh interpreter, as if it had
never been built, and compare what that interpreter tallies with this one.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from coproduce.methods.pb import mes
from coproduce.methods.pb.cli import main
from methods.pb.pb_testdata import DATA, HAVE_DATA, HERE

SAMPLES = HERE / "samples"

#: Runs ``coproduce pb`` in an interpreter where importing the extension fails.
WITHOUT_EXTENSION = """
import sys
sys.modules["coproduce.methods.pb._kernels"] = None  # any import of it raises ImportError
from coproduce.methods.pb import mes
from coproduce.methods.pb.cli import main
assert not mes.KERNELS_AVAILABLE, "the extension should look absent"
assert mes.kernel_path() == "numpy"
sys.exit(main(sys.argv[1:]))
"""


def _without_extension(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_EXTENSION, *argv],
        capture_output=True,
        text=True,
        check=True,
    )


def _cases() -> list:
    cases = [
        pytest.param(SAMPLES / "approval.pb", "cost", id="approval-sample"),
        pytest.param(SAMPLES / "cumulative.pb", "points", id="cumulative-sample"),
    ]
    if HAVE_DATA:  # a real election whose Add1 takes a fraction of a second on NumPy too
        cases.append(pytest.param(DATA / "Netherlands_Amsterdam_285.pb", "cost", id="amsterdam"))
    return cases


@pytest.mark.parametrize(("path", "utility"), _cases())
def test_without_the_extension_the_tally_is_identical(capsys, path, utility: str) -> None:
    argv = ["tally", str(path), "--rule", "mes", "--utility", utility, "--json"]
    argv += ["--completion", "add1-greedy" if utility == "cost" else "greedy"]
    assert main(argv) == 0
    here = json.loads(capsys.readouterr().out)
    done = _without_extension(*argv, "--verbose")
    there = json.loads(done.stdout)
    here.pop("seconds")
    there.pop("seconds")
    assert there == here
    assert "MES inner loops: NumPy (the compiled extension is not built)" in done.stderr


def test_verbose_names_the_inner_loops(capsys) -> None:
    argv = ["tally", str(SAMPLES / "approval.pb"), "--rule", "mes", "--verbose"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    expected = "compiled kernels" if mes.KERNELS_AVAILABLE else "NumPy"
    assert f"MES inner loops: {expected}" in err
    assert "tally: " in err


def test_verbose_when_the_kernels_are_switched_off(capsys, monkeypatch) -> None:
    monkeypatch.setattr(mes.kernels, "USE_COMPILED", False)
    assert mes.kernel_path() == "numpy"
    argv = ["tally", str(SAMPLES / "approval.pb"), "--rule", "mes", "--completion", "add1"]
    assert main([*argv, "--verbose"]) == 0
    err = capsys.readouterr().err
    assert "MES inner loops: NumPy" in err
    assert "Add1 increments: " in err
