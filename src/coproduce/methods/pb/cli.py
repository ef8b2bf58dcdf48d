"""``coproduce pb ...`` commands: tally a pabulib file from the command line.

Kept free of Django and of heavy imports at module level (numpy is only loaded once a tally
actually runs) because the project's console script dispatches here before setting Django up.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from .rules import Outcome

__all__ = ["main"]

_RULES = ("greedy", "mes")
_UTILITIES = ("cost", "cardinality", "points")
_COMPLETIONS = ("none", "greedy", "add1", "add1-greedy")
_TIE_BREAKS = ("id", "numeric-id", "reverse-id")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coproduce pb",
        description="Participatory budgeting on pabulib (.pb) files.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    tally = sub.add_parser(
        "tally",
        help="compute the winning projects",
        description=(
            "Compute the winning projects of a .pb file. Outcomes are exact and identical to "
            "pabutools 1.2.3 (ties broken by project id unless --tie-break says otherwise)."
        ),
    )
    tally.add_argument("file", metavar="FILE.pb", help="pabulib file")
    tally.add_argument("--rule", required=True, choices=_RULES)
    tally.add_argument("--utility", default="cost", choices=_UTILITIES)
    tally.add_argument(
        "--completion",
        default="none",
        choices=_COMPLETIONS,
        help="for --rule mes: complete a non-exhaustive outcome (default: none)",
    )
    tally.add_argument("--tie-break", default="id", choices=_TIE_BREAKS)
    tally.add_argument(
        "--jobs",
        type=_positive,
        default=1,
        metavar="N",
        help="processes for the Add1 completion (default 1; 2 halves the time on two cores)",
    )
    tally.add_argument(
        "--strict",
        action="store_true",
        help=(
            "refuse a file with irregularities that pabutools reads anyway (a project listed "
            "twice in a vote, a stray quote); without it each is a warning on stderr"
        ),
    )
    tally.add_argument("--json", action="store_true", help="print a JSON summary")
    tally.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="on stderr: which inner loops ran (compiled kernels or NumPy) and the time taken",
    )
    tally.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show Add1 progress on stderr (default: only when stderr is a terminal)",
    )
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


class _Progress:
    """Throttled one-line progress indicator for the Add1 increments."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.last = 0.0
        self.shown = False

    def __call__(self, increment: int, n_selected: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.1:
            return
        self.last = now
        self.shown = True
        self.stream.write(f"\rAdd1: +{increment} per voter, {n_selected} projects funded ")
        self.stream.flush()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def _number(value) -> int | str:
    """Exact JSON rendering of money: an int, or the exact decimal as a string."""
    from fractions import Fraction

    value = Fraction(value)
    if value.denominator == 1:
        return value.numerator
    from .pabulib import format_number

    return format_number(value)


def _tally(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .pabulib import PabulibError, parse_file

    try:
        election = parse_file(args.file, strict=args.strict)
    except PabulibError as exc:
        err.write(f"error: {exc}\n")
        return 2
    except OSError as exc:
        err.write(f"error: cannot read {args.file}: {exc.strerror or exc}\n")
        return 2
    for warning in election.warnings:
        err.write(f"warning: {args.file}: {warning}\n")
    from .rules import tally

    show = args.progress if args.progress is not None else err.isatty()
    progress = _Progress(err) if show and args.rule == "mes" else None
    try:
        outcome = tally(
            election,
            rule=args.rule,
            utility=args.utility,
            completion=args.completion,
            tie_break=args.tie_break,
            progress=progress,
            jobs=args.jobs,
        )
    except ValueError as exc:
        err.write(f"error: {exc}\n")
        return 2
    finally:
        if progress is not None:
            progress.close()
    if args.verbose:
        err.write(_run_summary(args, outcome))
    selected = sorted(outcome.selected)
    if args.json:
        summary = {
            "selected": selected,
            "total_cost": _number(outcome.total_cost),
            "budget": _number(outcome.budget),
            "rule": outcome.rule,
            "utility": outcome.utility,
            "completion": outcome.completion,
            "tie_break": outcome.tie_break,
            "exhaustive": outcome.exhaustive,
            "add1_increments": outcome.add1_increments,
            "seconds": round(outcome.seconds, 6),
        }
        out.write(json.dumps(summary) + "\n")
    else:
        out.write("".join(f"{pid}\n" for pid in selected))
    return 0


def _run_summary(args: argparse.Namespace, outcome: Outcome) -> str:
    """What ``--verbose`` reports: the inner loops used (so a slow tally on a machine where
    the compiled extension was not built is explained), the time and Add1's increments."""
    from .mes import KERNELS_AVAILABLE, kernel_path

    if args.rule != "mes":
        loops = "not used (greedy)"
    elif kernel_path() == "compiled":
        loops = "compiled kernels"
        if args.utility == "points":
            loops += " (the candidate loop runs in NumPy for the points utility)"
    elif KERNELS_AVAILABLE:
        loops = "NumPy (compiled kernels switched off)"
    else:
        loops = "NumPy (the compiled extension is not built)"
    lines = [f"MES inner loops: {loops}", f"tally: {outcome.seconds:.3f} s"]
    if outcome.add1_increments is not None:
        lines.append(f"Add1 increments: {outcome.add1_increments}")
    return "".join(f"{line}\n" for line in lines)


def main(argv: list[str] | None = None) -> int:
    """Run ``coproduce pb`` with ``argv`` (without the leading ``pb``); return the exit code."""
    args = _parser().parse_args(argv)
    if args.command == "tally":
        return _tally(args, sys.stdout, sys.stderr)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
