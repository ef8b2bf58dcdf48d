"""Benchmark the participatory-budgeting tallies against pabutools on the shared pabulib files.

Usage (from the repository root, with the ``bench`` extra installed)::

    python bench/pb.py                      # every instance and rule, pabutools included
    python bench/pb.py --skip-slow 30       # use the recorded pabutools time above 30 s
    python bench/pb.py --only Poland_Lodz_2022.pb
    python bench/pb.py --numpy --no-pabutools  # our NumPy path, as without the compiled kernels

For each instance and rule it prints our tally time (parse excluded, best of ``--repeat``
runs; for the Add1 rules also on ``--jobs`` processes), pabutools' time (parse excluded, one
run, or the reference time recorded in ``expected_outcomes.json`` marked ``ref`` when
skipped), their ratio and whether both outcomes are the same set. Finally it times the whole command
``coproduce pb tally Poland_Lodz_2022.pb --rule mes --completion add1-greedy`` in a fresh
process (start-up, parse and tally). pabutools is imported lazily, only when it runs. With
``--numpy`` our tallies run on the NumPy path, which is what a machine without the compiled
extension runs (the command is then timed with the extension blocked).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from coproduce.methods.pb import pabulib  # noqa: E402
from coproduce.methods.pb.mes import kernel_path, kernels  # noqa: E402
from coproduce.methods.pb.rules import tally  # noqa: E402

#: rule name in expected_outcomes.json -> (rule, utility, completion)
RULES = {
    "greedy_cost": ("greedy", "cost", "none"),
    "mes_cost": ("mes", "cost", "none"),
    "mes_card": ("mes", "cardinality", "none"),
    "mes_cost_greedy": ("mes", "cost", "greedy"),
    "mes_cost_add1": ("mes", "cost", "add1"),
    "mes_cost_add1_greedy": ("mes", "cost", "add1-greedy"),
    "greedy_points": ("greedy", "points", "none"),
    "mes_points": ("mes", "points", "none"),
}
CLI_FILE = "Poland_Lodz_2022.pb"
#: ``coproduce pb`` in an interpreter that cannot import the compiled kernels.
CLI_WITHOUT_KERNELS = (
    "import sys; sys.modules['coproduce.methods.pb._kernels'] = None; "
    "from coproduce.methods.pb.cli import main; sys.exit(main(sys.argv[1:]))"
)


def data_dir() -> Path:
    env = os.environ.get("COPRODUCE_PABULIB_DIR")
    return Path(env) if env else ROOT.parent / "shared/data/pabulib"


def run_pabutools(path: Path, rule: str) -> tuple[float, list[str]]:
    """Time one pabutools call exactly as recorded in expected_outcomes.json."""
    from pabutools.election import Additive_Cardinal_Sat, Cardinality_Sat, Cost_Sat
    from pabutools.election.pabulib import parse_pabulib
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    instance, profile = parse_pabulib(str(path))
    sat = {"cost": Cost_Sat, "cardinality": Cardinality_Sat, "points": Additive_Cardinal_Sat}
    kind, utility, completion = RULES[rule]
    started = time.perf_counter()
    if kind == "greedy":
        result = greedy_utilitarian_welfare(instance, profile, sat_class=sat[utility])
    elif completion == "none":
        result = method_of_equal_shares(instance, profile, sat_class=sat[utility])
    elif completion == "add1":
        result = method_of_equal_shares(
            instance, profile, sat_class=sat[utility], voter_budget_increment=1
        )
    else:
        first = {"sat_class": sat[utility]}
        if completion == "add1-greedy":
            first["voter_budget_increment"] = 1
        result = completion_by_rule_combination(
            instance,
            profile,
            [method_of_equal_shares, greedy_utilitarian_welfare],
            [first, {"sat_class": sat[utility]}],
        )
    return time.perf_counter() - started, sorted(p.name for p in result)


def run_ours(
    election: pabulib.Election, rule: str, repeat: int, jobs: int = 1
) -> tuple[float, list[str]]:
    kind, utility, completion = RULES[rule]
    best = float("inf")
    selected: list[str] = []
    for _ in range(repeat):
        started = time.perf_counter()
        outcome = tally(election, kind, utility, completion, jobs=jobs)
        best = min(best, time.perf_counter() - started)
        selected = sorted(outcome.selected)
        if best > 2.0:
            break  # long runs are stable enough with one measurement
    return best, selected


def time_cli(path: Path, repeat: int, numpy_path: bool = False) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    start = ["-c", CLI_WITHOUT_KERNELS] if numpy_path else ["-m", "coproduce.methods.pb.cli"]
    cmd = [sys.executable, *start, "tally", str(path)]
    cmd += ["--rule", "mes", "--completion", "add1-greedy"]
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - started)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="directory of the .pb files")
    parser.add_argument("--only", action="append", default=[], metavar="FILE")
    parser.add_argument("--rule", action="append", default=[], choices=sorted(RULES))
    parser.add_argument(
        "--skip-slow",
        type=float,
        default=None,
        metavar="N",
        help="do not run pabutools where its recorded time exceeds N s (show that time)",
    )
    parser.add_argument("--no-pabutools", action="store_true", help="only recorded times")
    parser.add_argument(
        "--save-pabutools",
        type=Path,
        metavar="JSON",
        help="save the pabutools times (and outcomes) measured in this run",
    )
    parser.add_argument(
        "--pabutools-times",
        type=Path,
        metavar="JSON",
        help="reuse pabutools times saved by --save-pabutools instead of running it again",
    )
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs for ours")
    parser.add_argument("--no-cli", action="store_true", help="skip the command-line timing")
    parser.add_argument(
        "--numpy",
        action="store_true",
        help="run our tallies on the NumPy path (what runs without the compiled kernels)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=2,
        metavar="N",
        help="also time the Add1 rules on N processes (default 2; 1 to skip)",
    )
    args = parser.parse_args(argv)
    if args.numpy:
        kernels.use_numpy()
    print(f"our MES inner loops: {kernel_path()}")

    data = args.data or data_dir()
    expected = json.loads((data / "expected_outcomes.json").read_text(encoding="utf-8"))
    files = args.only or sorted(expected)
    header = (
        f"{'instance':<42} {'rule':<21} {'ours s':>9} {'pabutools s':>14} {'ratio':>8}  same  50x"
        f"  {'ours s, ' + str(args.jobs) + ' processes':>22} {'ratio':>8}  50x"
    )
    print(header)
    print("-" * len(header))
    misses = []
    saved: dict[str, dict[str, dict]] = {}
    if args.pabutools_times:
        saved = json.loads(args.pabutools_times.read_text(encoding="utf-8"))
    measured: dict[str, dict[str, dict]] = {}
    for name in files:
        election = pabulib.parse_file(data / name)
        for rule, entry in expected[name].items():
            if args.rule and rule not in args.rule:
                continue
            ours, selected = run_ours(election, rule, args.repeat)
            ref = entry["seconds"]
            skip = args.no_pabutools or (args.skip_slow is not None and ref > args.skip_slow)
            cached = saved.get(name, {}).get(rule)
            if cached is not None:
                theirs, marker = cached["seconds"], "    "
                same = selected == cached["selected"] == entry["selected"]
            elif skip:
                theirs, marker, same = ref, " ref", selected == entry["selected"]
            else:
                theirs, theirs_sel = run_pabutools(data / name, rule)
                marker, same = "    ", selected == theirs_sel == entry["selected"]
                measured.setdefault(name, {})[rule] = {"seconds": theirs, "selected": theirs_sel}
                if args.save_pabutools:
                    args.save_pabutools.write_text(json.dumps(measured, indent=1), encoding="utf-8")
            ratio = theirs / ours if ours > 0 else float("inf")
            target = "-" if theirs < 1.0 else ("ok" if ratio >= 50 else "MISS")
            if target == "MISS" or not same:
                misses.append((name, rule, ratio, same))
            parallel = ""
            if args.jobs > 1 and "add1" in rule:
                ours_n, selected_n = run_ours(election, rule, args.repeat, args.jobs)
                ratio_n = theirs / ours_n if ours_n > 0 else float("inf")
                target_n = "-" if theirs < 1.0 else ("ok" if ratio_n >= 50 else "MISS")
                if selected_n != selected:
                    misses.append((name, f"{rule} on {args.jobs} processes", ratio_n, False))
                parallel = f"  {ours_n:22.4f} {ratio_n:8.1f}  {target_n}"
            print(
                f"{name.removesuffix('.pb')[:42]:<42} {rule:<21} {ours:9.4f} "
                f"{theirs:10.2f}{marker} {ratio:8.1f}  {'yes' if same else 'NO':<4}  {target:<4}"
                f"{parallel}",
                flush=True,
            )
    if not args.no_cli and (data / CLI_FILE).is_file():
        wall = time_cli(data / CLI_FILE, args.repeat, args.numpy)
        print(
            f"\nwhole command `coproduce pb tally {CLI_FILE} --rule mes --completion add1-greedy`:"
            f" {wall:.3f} s wall (best of {args.repeat}; target < 1 s)"
        )
    if misses:
        print("\nnot meeting the target (pabutools >= 1 s and ratio < 50, or different sets):")
        for name, rule, ratio, same in misses:
            print(f"  {name} {rule}: ratio {ratio:.1f}{'' if same else ', DIFFERENT OUTCOME'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
