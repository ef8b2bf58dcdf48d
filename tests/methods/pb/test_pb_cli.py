"""``coproduce pb tally`` (the pure-Python command behind the project's console script)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from coproduce.methods.pb.cli import main
from methods.pb.pb_testdata import DATA, HERE, expected_outcomes, needs_data

SAMPLES = HERE / "samples"
SRC = Path(__file__).resolve().parents[3] / "src"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_plain_output_lists_ids_one_per_line(capsys) -> None:
    code, out, err = run(capsys, "tally", str(SAMPLES / "approval.pb"), "--rule", "greedy")
    assert code == 0
    assert out.splitlines() == sorted(out.splitlines())
    assert set(out.split()) <= {"1", "2", "3", "10"}
    assert err == ""


def test_json_output_shape(capsys) -> None:
    code, out, _ = run(
        capsys,
        "tally",
        str(SAMPLES / "approval.pb"),
        "--rule",
        "mes",
        "--completion",
        "add1-greedy",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert {"selected", "total_cost", "rule", "seconds"} <= set(data)
    assert data["selected"] == sorted(data["selected"])
    assert all(isinstance(x, str) for x in data["selected"])
    assert data["rule"] == "mes"
    assert data["completion"] == "add1-greedy"
    assert isinstance(data["seconds"], float) and data["seconds"] >= 0
    # Exact money: 10.5 budget, costs 4, 3.5, 6, 0 -> a decimal string, never a rounded float.
    assert data["budget"] == "10.5"
    assert isinstance(data["total_cost"], int | str)


def test_points_on_cumulative_file(capsys) -> None:
    code, out, _ = run(
        capsys, "tally", str(SAMPLES / "cumulative.pb"), "--rule", "mes", "--utility", "points"
    )
    assert code == 0
    assert out.split()


def test_malformed_file_exits_2_naming_the_line(capsys, tmp_path) -> None:
    bad = tmp_path / "bad.pb"
    text = (SAMPLES / "approval.pb").read_text(encoding="utf-8").replace("b;2,10;None", "b;2,99;")
    bad.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "tally", str(bad), "--rule", "mes")
    assert code == 2
    assert out == ""
    assert "line 21" in err and "unknown project '99'" in err


def test_missing_file_and_bad_combination_exit_2(capsys, tmp_path) -> None:
    code, _, err = run(capsys, "tally", str(tmp_path / "nope.pb"), "--rule", "mes")
    assert code == 2 and "cannot read" in err
    code, _, err = run(
        capsys, "tally", str(SAMPLES / "approval.pb"), "--rule", "greedy", "--completion", "add1"
    )
    assert code == 2 and "Add1" in err
    code, _, err = run(
        capsys, "tally", str(SAMPLES / "ordinal.pb"), "--rule", "mes", "--utility", "points"
    )
    assert code == 2 and "points utility" in err


def test_usage_errors_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["tally", str(SAMPLES / "approval.pb"), "--rule", "borda"])
    assert caught.value.code == 2
    capsys.readouterr()


def test_progress_only_when_asked(capsys) -> None:
    code, _, err = run(
        capsys,
        "tally",
        str(SAMPLES / "approval.pb"),
        "--rule",
        "mes",
        "--completion",
        "add1",
        "--progress",
    )
    assert code == 0
    assert "Add1" in err
    code, _, err = run(
        capsys, "tally", str(SAMPLES / "approval.pb"), "--rule", "mes", "--completion", "add1"
    )
    assert err == ""  # captured stderr is not a terminal


def test_cli_does_not_import_django_or_numpy_at_import() -> None:
    code = (
        "import sys; import coproduce.methods.pb.cli; "
        "assert 'django' not in sys.modules; assert 'numpy' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": str(SRC)})


@needs_data
def test_city_wide_add1_greedy_command(capsys) -> None:
    name = "Poland_Lodz_2022.pb"
    code, out, _ = run(
        capsys, "tally", str(DATA / name), "--rule", "mes", "--completion", "add1-greedy", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["selected"] == expected_outcomes()[name]["mes_cost_add1_greedy"]["selected"]
    assert data["add1_increments"] == 59


@needs_data
def test_two_processes_give_the_same_json(capsys) -> None:
    name = "Netherlands_Amsterdam_285.pb"
    args = ["tally", str(DATA / name), "--rule", "mes", "--completion", "add1", "--json"]
    _, one, _ = run(capsys, *args)
    code, two, _ = run(capsys, *args, "--jobs", "2")
    assert code == 0
    first, second = json.loads(one), json.loads(two)
    assert second["selected"] == first["selected"]
    assert second["selected"] == expected_outcomes()[name]["mes_cost_add1"]["selected"]
    assert second["add1_increments"] == first["add1_increments"] == 31


@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
def test_jobs_must_be_a_positive_number(capsys, jobs: str) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["tally", str(SAMPLES / "approval.pb"), "--rule", "mes", "--jobs", jobs])
    assert caught.value.code == 2
    assert "--jobs" in capsys.readouterr().err
