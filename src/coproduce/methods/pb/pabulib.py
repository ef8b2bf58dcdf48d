"""Reader and writer for the pabulib ``.pb`` format (participatory-budgeting elections).

A ``.pb`` file has three ``;``-separated sections, each introduced by a marker line and a
header line: ``META`` (``key;value``), ``PROJECTS`` (``project_id;cost;...``) and ``VOTES``
(``voter_id;vote;...``). Fields may be quoted as in CSV.

Money and points are parsed exactly (``int`` or :class:`fractions.Fraction`, never ``float``):
a budget such as ``2458488.22`` must not become ``2458488.2199999997`` because the voting rules
compare sums of money exactly. Errors raise :class:`PabulibError` naming the line number, so an
organiser can fix the file instead of guessing.

The semantics follow pabutools' ``parse_pabulib`` (which the reference outcomes were computed
with): fields are stripped, ``choose-1`` is an approval vote, an empty vote is a voter who
approved nothing (the voter still counts in ``num_voters``).

Real files of the public library have two irregularities that pabutools reads without a word:
a vote that lists a project twice (the project counts once; in a points vote, with the points of
its last listing) and a stray quote inside a quoted field (read as Python's lenient CSV reader
reads it). This reader reads them the same way, so outcomes stay identical, and reports each as
a :class:`PabulibWarning` naming its line in ``Election.warnings``; ``strict=True`` refuses
them instead. Other inconsistencies (duplicate ids, points that do not match the vote, a quoted
field that never closes) are errors.
"""

from __future__ import annotations

import csv
import gc
import io
import itertools
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import accumulate, repeat
from pathlib import Path
from typing import overload

__all__ = [
    "VOTE_TYPES",
    "Ballot",
    "Election",
    "PabulibError",
    "PabulibWarning",
    "Project",
    "format_number",
    "parse",
    "parse_file",
    "parse_number",
    "write",
    "write_file",
]

Number = int | Fraction

#: Vote types understood by the parser (pabulib names).
VOTE_TYPES = ("approval", "choose-1", "cumulative", "scoring", "ordinal")
_POINT_TYPES = ("cumulative", "scoring")
_SECTIONS = ("meta", "projects", "votes")


class PabulibError(ValueError):
    """A malformed ``.pb`` file; ``line`` is the 1-based line number (0 when unknown)."""

    def __init__(self, line: int, problem: str, source: str | None = None) -> None:
        self.line = line
        self.problem = problem
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}line {line}: {problem}" if line else f"{where}{problem}")


@dataclass(frozen=True, slots=True)
class PabulibWarning:
    """An irregularity that was read as pabutools reads it, on 1-based line ``line``."""

    line: int
    problem: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.problem}"


class _Irregularities:
    """Collects warnings, or refuses the file at the first one when ``strict``."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.found: list[PabulibWarning] = []

    def __call__(self, line: int, problem: str, reading: str) -> None:
        """Report ``problem`` at ``line``, read the way ``reading`` says (unless strict)."""
        if self.strict:
            raise PabulibError(line, f"{problem} (refused in strict mode)")
        self.found.append(PabulibWarning(line, f"{problem}; {reading}"))


@dataclass(frozen=True, slots=True)
class Project:
    """A project: exact ``cost`` and every other PROJECTS column kept verbatim in ``fields``.

    ``line`` is where the file defines it (0 when built in code); it takes no part in equality.
    """

    project_id: str
    cost: Number
    fields: dict[str, str] = field(default_factory=dict)
    line: int = field(default=0, compare=False)

    @property
    def name(self) -> str | None:
        return self.fields.get("name")


@dataclass(frozen=True, slots=True)
class Ballot:
    """One voter's ballot.

    ``projects`` keeps the order of the file (the ranking, best first, for ordinal votes);
    ``points`` is parallel to ``projects`` for cumulative and scoring votes, else ``None``.
    Other VOTES columns (age, sex, ...) are kept verbatim in ``fields``. ``line`` is the
    ballot's line in the file (0 when built in code); it takes no part in equality.
    """

    voter_id: str
    projects: tuple[str, ...]
    points: tuple[Number, ...] | None = None
    fields: dict[str, str] = field(default_factory=dict)
    line: int = field(default=0, compare=False)


class BallotList(Sequence[Ballot]):
    """The ballots of an election, stored column-wise.

    A city-wide file has ~100k voters: building one :class:`Ballot` object per voter would take
    longer than the whole tally. The parser therefore keeps columns (voter ids, the flat list of
    voted project ids with CSR offsets, points, other fields) and :class:`Ballot` objects are
    only built when indexed. It behaves as an immutable ``Sequence[Ballot]``; two ballot
    sequences are equal when they hold equal ballots in the same order.
    """

    __slots__ = (
        "_field_cols",
        "_field_names",
        "_indptr",
        "_lines",
        "_points",
        "_tokens",
        "_voter_ids",
    )

    def __init__(
        self,
        voter_ids: list[str],
        tokens: list[str],
        indptr: list[int],
        points: list[Number] | None,
        field_names: tuple[str, ...],
        field_cols: list[list[str]],
        lines: Sequence[int] | None = None,
    ) -> None:
        self._voter_ids = voter_ids
        self._tokens = tokens
        self._indptr = indptr
        self._points = points
        self._field_names = field_names
        self._field_cols = field_cols
        self._lines: Sequence[int] = lines if lines is not None else [0] * len(voter_ids)

    @classmethod
    def from_ballots(cls, ballots: Iterable[Ballot]) -> BallotList:
        """Column-wise copy of any iterable of :class:`Ballot` (field names are unioned)."""
        ballots = list(ballots)
        names = tuple(dict.fromkeys(k for b in ballots for k in b.fields))
        tokens: list[str] = []
        indptr = [0]
        with_points = any(b.points is not None for b in ballots)
        points: list[Number] | None = [] if with_points else None
        for b in ballots:
            tokens.extend(b.projects)
            indptr.append(len(tokens))
            if points is not None:
                pts = b.points if b.points is not None else ()
                if len(pts) != len(b.projects):
                    raise ValueError(f"voter {b.voter_id!r}: points do not match the vote")
                points.extend(pts)
        cols = [[b.fields.get(n, "") for b in ballots] for n in names]
        lines = [b.line for b in ballots]
        return cls([b.voter_id for b in ballots], tokens, indptr, points, names, cols, lines)

    def __len__(self) -> int:
        return len(self._voter_ids)

    def _one(self, i: int) -> Ballot:
        lo, hi = self._indptr[i], self._indptr[i + 1]
        pts = None if self._points is None else tuple(self._points[lo:hi])
        fields = {n: col[i] for n, col in zip(self._field_names, self._field_cols, strict=True)}
        return Ballot(self._voter_ids[i], tuple(self._tokens[lo:hi]), pts, fields, self._lines[i])

    @overload
    def __getitem__(self, i: int) -> Ballot: ...
    @overload
    def __getitem__(self, i: slice) -> list[Ballot]: ...
    def __getitem__(self, i: int | slice) -> Ballot | list[Ballot]:
        if isinstance(i, slice):
            return [self._one(k) for k in range(*i.indices(len(self)))]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("ballot index out of range")
        return self._one(i)

    def __iter__(self) -> Iterator[Ballot]:
        return map(self._one, range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, BallotList):
            if (
                self._voter_ids != other._voter_ids
                or self._tokens != other._tokens
                or self._indptr != other._indptr
                or self._points != other._points
            ):
                return False
            mine = {n: c for n, c in zip(self._field_names, self._field_cols, strict=True)}
            theirs = {n: c for n, c in zip(other._field_names, other._field_cols, strict=True)}
            return mine == theirs
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<BallotList of {len(self)} ballots>"

    # Column access for the rules (no per-voter objects).
    @property
    def voter_ids(self) -> list[str]:
        return self._voter_ids

    def line(self, i: int) -> int:
        """The line of ballot ``i`` in the file it was read from (0 when built in code)."""
        return self._lines[i]

    def csr(self, positions: dict[str, int]) -> tuple[list[int], list[int]]:
        """``(indptr, indices)``: ballot ``i`` votes for ``indices[indptr[i]:indptr[i+1]]``."""
        try:
            return self._indptr, list(map(positions.__getitem__, self._tokens))
        except KeyError as exc:
            raise ValueError(f"a ballot votes for unknown project {exc.args[0]!r}") from None

    @property
    def flat_points(self) -> list[Number] | None:
        """Points parallel to the CSR indices (``None`` for approval and ordinal votes)."""
        return self._points


@dataclass(frozen=True, slots=True)
class Election:
    """A parsed ``.pb`` file.

    ``meta`` keeps the META section verbatim (in file order); ``budget`` and ``vote_type`` are
    its parsed, validated values. ``project_columns``/``vote_columns`` keep the header order so
    the writer reproduces the layout. ``ballots`` is any sequence of :class:`Ballot` (the
    parser returns a compact :class:`BallotList`). Treat elections as immutable: the rules
    cache integer views keyed on the objects.

    ``meta_lines`` (the line of each META key), ``section_lines`` (the line of each section
    marker, by lower-case name) and ``warnings`` (the irregularities read as pabutools reads
    them) describe the file; they take no part in equality.
    """

    meta: dict[str, str]
    projects: tuple[Project, ...]
    ballots: Sequence[Ballot]
    budget: Number
    vote_type: str
    project_columns: tuple[str, ...] = ("project_id", "cost")
    vote_columns: tuple[str, ...] = ("voter_id", "vote")
    meta_lines: dict[str, int] = field(default_factory=dict, compare=False)
    section_lines: dict[str, int] = field(default_factory=dict, compare=False)
    warnings: tuple[PabulibWarning, ...] = field(default=(), compare=False)

    @property
    def num_voters(self) -> int:
        return len(self.ballots)

    def project(self, project_id: str) -> Project:
        """The project with this id (linear scan; build a dict for repeated lookups)."""
        for p in self.projects:
            if p.project_id == project_id:
                return p
        raise KeyError(project_id)

    def ballot_columns(self) -> BallotList:
        """The ballots as a :class:`BallotList` (no copy when the parser built them)."""
        if isinstance(self.ballots, BallotList):
            return self.ballots
        return BallotList.from_ballots(self.ballots)


# --------------------------------------------------------------------------- numbers

_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE]([+-]?[0-9]+))?\Z")
_DIGITS_RE = re.compile(r"[0-9]+\Z")
#: Bounds on the written form of a number, so that reading one costs next to nothing:
#: ``1e999999999`` would otherwise build a billion-digit integer. Real files use a few digits.
MAX_NUMBER_CHARS = 60
MAX_EXPONENT = 60


def parse_number(text: str) -> Number:
    """Parse a decimal (``12``, ``2458488.22``, ``1,5``, ``1e3``) or ``a/b`` exactly.

    Only ASCII digits count (a file is written by a program; ``١٢`` or ``1_000`` are typing
    accidents, not numbers). Raises ``ValueError`` for anything else, including ``nan``,
    ``inf``, more than :data:`MAX_NUMBER_CHARS` characters or an exponent beyond
    :data:`MAX_EXPONENT`. A comma is accepted as decimal separator, as pabutools does for costs.
    """
    s = text.strip()
    if len(s) > MAX_NUMBER_CHARS:
        raise ValueError(f"not a number: more than {MAX_NUMBER_CHARS} characters")
    s = s.replace(",", ".")
    num, slash, den = s.partition("/")
    num, den = num.strip(), den.strip()
    match = _NUMBER_RE.match(num)
    if not match or (slash and not (_DIGITS_RE.match(den) and int(den) != 0)):
        raise ValueError(f"not a number: {text!r}")
    if match.group(1) is not None and abs(int(match.group(1))) > MAX_EXPONENT:
        raise ValueError(f"not a number: exponent beyond {MAX_EXPONENT}: {text!r}")
    value = Fraction(num) / int(den) if slash else Fraction(num)
    return value.numerator if value.denominator == 1 else value


def format_number(value: Number) -> str:
    """Inverse of :func:`parse_number`: a finite decimal when one exists, else ``a/b``."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return f"{value.numerator}/{value.denominator}"
    digits = max(twos, fives)
    scaled = abs(value.numerator) * 10**digits // value.denominator
    sign = "-" if value < 0 else ""
    whole, frac = divmod(scaled, 10**digits)
    return f"{sign}{whole}.{frac:0{digits}d}"


# --------------------------------------------------------------------------- reading


def _rows(lines: list[str], warn: _Irregularities):
    """Yield ``(line_number, fields)`` for every non-blank line.

    Plain lines are split on ``;`` directly; a line containing a quote is read as CSV (a quoted
    field may run over the following lines).
    """
    n = len(lines)
    i = 0
    while i < n:
        line = lines[i]
        lineno = i + 1
        if line.endswith("\r"):
            line = line[:-1]
        if '"' not in line:
            i += 1
            if not line or line.isspace():
                continue
            yield lineno, line.split(";")
            continue
        row, used = _quoted_record(lines, i, warn)
        i += used
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        yield lineno, row


def _record_lines(lines: list[str], start: int) -> Iterator[str]:
    for line in itertools.islice(lines, start, None):
        yield (line[:-1] if line.endswith("\r") else line) + "\n"


def _quoted_record(lines: list[str], i: int, warn: _Irregularities) -> tuple[list[str], int]:
    """The CSV record starting at ``lines[i]`` and how many lines it takes.

    A quote inside a quoted field that is not doubled (``"Odkupmy" i my``) is what the lenient
    reader of pabutools reads as ``Odkupmy i my``: the same here, with a warning. A quoted field
    that runs into later lines without closing properly is refused: read leniently it would
    swallow those lines (projects or ballots) without a word.
    """
    strict = csv.reader(_record_lines(lines, i), delimiter=";", strict=True)
    try:
        return next(strict), strict.line_num
    except csv.Error as exc:
        problem = str(exc)
    if problem == "unexpected end of data":
        raise PabulibError(i + 1, "unterminated quoted field")
    lenient = csv.reader(_record_lines(lines, i), delimiter=";")
    try:
        row = next(lenient)
    except csv.Error as exc:
        raise PabulibError(i + 1, f"unreadable line ({exc})") from None
    if lenient.line_num > 1:
        raise PabulibError(i + 1, "unterminated quoted field")
    warn(
        i + 1,
        f"stray quote in a quoted field (CSV: {problem})",
        "the line is read as pabutools reads it",
    )
    return row, 1


def _header(rows, section: str, marker_line: int) -> tuple[int, list[str]]:
    try:
        lineno, row = next(rows)
    except StopIteration:
        raise PabulibError(marker_line, f"section {section.upper()} has no header line") from None
    cols = [c.strip() for c in row]
    if cols and cols[0].lower() in _SECTIONS:
        raise PabulibError(lineno, f"section {section.upper()} has no header line")
    if len(set(cols)) != len(cols):
        raise PabulibError(lineno, f"duplicate column name in {section.upper()} header")
    if any(not c for c in cols):
        raise PabulibError(lineno, f"empty column name in {section.upper()} header")
    return lineno, cols


def parse(text: str, source: str | None = None, *, strict: bool = False) -> Election:
    """Parse the content of a ``.pb`` file; ``source`` (e.g. the file name) prefixes errors.

    With ``strict``, an irregularity that pabutools tolerates (see the module docstring) is an
    error instead of a warning."""
    # The parser allocates ~10 objects per voter and frees none of them: the cyclic garbage
    # collector would rescan them all repeatedly (a third of the time on city-wide files).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse(text, _Irregularities(strict))
    except PabulibError as exc:
        if source is not None and exc.source is None:
            raise PabulibError(exc.line, exc.problem, source) from None
        raise
    finally:
        if gc_was_enabled:
            gc.enable()


def parse_file(path: str | os.PathLike[str], *, strict: bool = False) -> Election:
    """Read and parse a ``.pb`` file (UTF-8, an optional byte-order mark is ignored)."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise PabulibError(line, "file is not valid UTF-8", os.fspath(path)) from None
    return parse(text, source=os.fspath(path), strict=strict)


def _parse(text: str, warn: _Irregularities) -> Election:
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    rows = _rows(lines, warn)
    meta: dict[str, str] = {}
    meta_lines: dict[str, int] = {}
    projects: list[Project] = []
    seen_sections: dict[str, int] = {}
    project_cols: list[str] = []
    vote_cols: list[str] = []
    pos: dict[str, int] = {}
    votes: _VoteParser | None = None
    ballots: BallotList | None = None
    last_line = 0
    section = ""

    for lineno, row in rows:
        last_line = lineno
        head = row[0].strip().lower()
        if head in _SECTIONS and (len(row) == 1 or all(not c.strip() for c in row[1:])):
            if head in seen_sections:
                raise PabulibError(lineno, f"section {head.upper()} appears twice")
            order = _SECTIONS.index(head)
            for missing in _SECTIONS[:order]:
                if missing not in seen_sections:
                    raise PabulibError(
                        lineno, f"section {head.upper()} before section {missing.upper()}"
                    )
            seen_sections[head] = lineno
            section = head
            hline, cols = _header(rows, head, lineno)
            last_line = hline
            if head == "meta":
                if [c.lower() for c in cols] != ["key", "value"]:
                    raise PabulibError(hline, "META header must be 'key;value'")
            elif head == "projects":
                for required in ("project_id", "cost"):
                    if required not in cols:
                        raise PabulibError(hline, f"PROJECTS header has no '{required}' column")
                project_cols = cols
            else:
                vote_type = _vote_type(meta, meta_lines, seen_sections["meta"])
                _budget(meta, meta_lines, seen_sections["meta"])
                for required in ("voter_id", "vote"):
                    if required not in cols:
                        raise PabulibError(hline, f"VOTES header has no '{required}' column")
                if vote_type in _POINT_TYPES and "points" not in cols:
                    raise PabulibError(
                        hline, f"VOTES header has no 'points' column ({vote_type} vote)"
                    )
                vote_cols = cols
                votes = _VoteParser(cols, vote_type, pos, warn)
                ballots = votes.bulk(lines[hline:], hline + 1)
                if ballots is not None:
                    last_line = len(lines)
                    break
            continue
        if not section:
            raise PabulibError(lineno, "expected a section marker (META) before any data")
        if section == "meta":
            if len(row) != 2:
                raise PabulibError(lineno, f"META line must have 2 fields, found {len(row)}")
            key = row[0].strip()
            if not key:
                raise PabulibError(lineno, "empty META key")
            if key in meta:
                raise PabulibError(lineno, f"duplicate META key {key!r}")
            meta[key] = row[1].strip()
            meta_lines[key] = lineno
        elif section == "projects":
            projects.append(_project(lineno, row, project_cols, pos, len(projects)))
        else:
            assert votes is not None
            votes.row(lineno, row)

    for name in _SECTIONS:
        if name not in seen_sections:
            raise PabulibError(last_line + 1, f"section {name.upper()} is missing")
    if ballots is None:
        assert votes is not None
        ballots = votes.result()
    meta_line = seen_sections["meta"]
    return Election(
        meta=meta,
        projects=tuple(projects),
        ballots=ballots,
        budget=_budget(meta, meta_lines, meta_line),
        vote_type=_vote_type(meta, meta_lines, meta_line),
        project_columns=tuple(project_cols),
        vote_columns=tuple(vote_cols),
        meta_lines=meta_lines,
        section_lines=seen_sections,
        warnings=tuple(warn.found),
    )


def _project(lineno: int, row: list[str], cols: list[str], pos: dict[str, int], n: int) -> Project:
    if len(row) != len(cols):
        raise PabulibError(
            lineno, f"expected {len(cols)} fields (per PROJECTS header), found {len(row)}"
        )
    values = dict(zip(cols, (c.strip() for c in row), strict=True))
    pid = values.pop("project_id")
    if not pid:
        raise PabulibError(lineno, "empty project_id")
    if "," in pid:
        raise PabulibError(lineno, f"project_id {pid!r} contains a comma")
    if pid in pos:
        raise PabulibError(lineno, f"duplicate project_id {pid!r}")
    raw_cost = values.pop("cost")
    try:
        cost = parse_number(raw_cost)
    except ValueError:
        raise PabulibError(
            lineno, f"cost {raw_cost!r} of project {pid!r} is not a number"
        ) from None
    if cost < 0:
        raise PabulibError(lineno, f"cost {raw_cost!r} of project {pid!r} is negative")
    pos[pid] = n
    return Project(pid, cost, values, lineno)


def _vote_type(meta: dict[str, str], lines: dict[str, int], meta_line: int) -> str:
    if "vote_type" not in meta:
        raise PabulibError(meta_line, "META has no 'vote_type'")
    vt = meta["vote_type"].lower()
    if vt not in VOTE_TYPES:
        raise PabulibError(
            lines["vote_type"], f"unknown vote_type {meta['vote_type']!r} (known: {VOTE_TYPES})"
        )
    return vt


def _budget(meta: dict[str, str], lines: dict[str, int], meta_line: int) -> Number:
    if "budget" not in meta:
        raise PabulibError(meta_line, "META has no 'budget'")
    try:
        budget = parse_number(meta["budget"])
    except ValueError:
        raise PabulibError(lines["budget"], f"budget {meta['budget']!r} is not a number") from None
    if budget < 0:
        raise PabulibError(lines["budget"], "budget is negative")
    return budget


def _is_empty_vote(raw: str) -> bool:
    return not raw or raw.lower() == "none"


class _VoteParser:
    """Builds the :class:`BallotList` of the VOTES section.

    :meth:`bulk` handles a clean section column-wise with C-level string operations (a
    city-wide file parses in ~0.1 s); anything unusual makes it return ``None`` and the section
    is re-read row by row by :meth:`row`, which names the offending line.
    """

    def __init__(
        self, cols: list[str], vote_type: str, pos: dict[str, int], warn: _Irregularities
    ) -> None:
        self.warn = warn
        self.ncols = len(cols)
        self.vid = cols.index("voter_id")
        self.vote = cols.index("vote")
        self.with_points = vote_type in _POINT_TYPES
        self.points = cols.index("points") if self.with_points else -1
        special = ("voter_id", "vote", "points") if self.with_points else ("voter_id", "vote")
        other = [(i, c) for i, c in enumerate(cols) if c not in special]
        self.other_names = tuple(c for _, c in other)
        self.other_idx = tuple(i for i, _ in other)
        self.pos = pos
        # Row-by-row state.
        self.voter_ids: list[str] = []
        self.seen: set[str] = set()
        self.tokens: list[str] = []
        self.indptr = [0]
        self.point_values: list[Number] | None = [] if self.with_points else None
        self.field_cols: list[list[str]] = [[] for _ in other]
        self.lines: list[int] = []

    def result(self) -> BallotList:
        return BallotList(
            self.voter_ids,
            self.tokens,
            self.indptr,
            self.point_values,
            self.other_names,
            self.field_cols,
            self.lines,
        )

    def bulk(self, lines: list[str], first_line: int) -> BallotList | None:
        """The ballots of a clean section (``lines`` from the one after the header, which is
        line ``first_line`` of the file), or ``None`` when it needs the row-by-row reader."""
        text = "\n".join(lines)
        if '"' in text:
            return None
        if "\r" in text:
            text = text.replace("\r\n", "\n")
            if "\r" in text:
                return None
        text = text.rstrip("\n")
        if not text:
            return self.result()
        rows = text.split("\n")
        ncols = self.ncols
        if list(map(str.count, rows, repeat(";"))).count(ncols - 1) != len(rows):
            return None  # blank line or wrong field count somewhere
        flat = ";".join(rows).split(";")
        n = len(rows)
        cols = [list(map(str.strip, flat[k::ncols])) for k in range(ncols)]
        vids = cols[self.vid]
        if "" in vids or len(set(vids)) != n:
            return None
        votes = cols[self.vote]
        if "" in votes or "none" in votes or "None" in votes or "NONE" in votes:
            return None  # empty ballots: rare, handled by the row-wise path
        lengths = [c + 1 for c in map(str.count, votes, repeat(","))]
        tokens = ",".join(votes).split(",")
        pos = self.pos
        try:
            idx = list(map(pos.__getitem__, tokens))
        except KeyError:
            return None
        if _has_repeats(idx, lengths, len(pos)):
            return None
        indptr = [0, *accumulate(lengths)]
        points: list[Number] | None = None
        if self.with_points:
            raw = cols[self.points]
            if [c + 1 for c in map(str.count, raw, repeat(","))] != lengths:
                return None
            joined = ",".join(raw)
            if not joined.isascii() or "_" in joined:
                return None  # int() would take "١" or "1_0": let parse_number refuse them
            ptoks = joined.split(",")
            if max(map(len, ptoks), default=0) > MAX_NUMBER_CHARS:
                return None
            try:
                points = list(map(int, ptoks))
            except ValueError:
                try:
                    points = list(map(parse_number, ptoks))
                except ValueError:
                    return None
            if points and min(points) < 0:
                return None
        self.seen.update(vids)
        others = [cols[i] for i in self.other_idx]
        lines_of = range(first_line, first_line + n)
        return BallotList(vids, tokens, indptr, points, self.other_names, others, lines_of)

    def row(self, lineno: int, row: list[str]) -> None:
        if len(row) != self.ncols:
            raise PabulibError(
                lineno, f"expected {self.ncols} fields (per VOTES header), found {len(row)}"
            )
        vid = row[self.vid].strip()
        if not vid:
            raise PabulibError(lineno, "empty voter_id")
        if vid in self.seen:
            raise PabulibError(lineno, f"duplicate voter_id {vid!r}")
        raw = row[self.vote].strip()
        toks = [] if _is_empty_vote(raw) else [t.strip() for t in raw.split(",")]
        for t in toks:
            if t not in self.pos:
                if not t:
                    raise PabulibError(lineno, f"vote of voter {vid!r} has an empty project id")
                raise PabulibError(lineno, f"vote of voter {vid!r} names unknown project {t!r}")
        pts = None if self.point_values is None else self._points(lineno, row, vid, len(toks))
        if len(set(toks)) != len(toks):
            toks, pts = self._once(lineno, vid, toks, pts)
        if self.point_values is not None and pts is not None:
            self.point_values.extend(pts)
        self.seen.add(vid)
        self.voter_ids.append(vid)
        self.tokens.extend(toks)
        self.indptr.append(len(self.tokens))
        self.lines.append(lineno)
        for col, i in zip(self.field_cols, self.other_idx, strict=True):
            col.append(row[i].strip())

    def _once(
        self, lineno: int, vid: str, toks: list[str], pts: list[Number] | None
    ) -> tuple[list[str], list[Number] | None]:
        """A vote listing a project twice, read as pabutools reads it: the project counts
        once, at its first place (a ranking keeps its first rank), with the points of its last
        listing (pabutools' ballot is a dict filled in file order)."""
        twice = sorted({t for t in toks if toks.count(t) > 1})
        listed = ", ".join(repr(t) for t in twice)
        how = "counted once"
        if pts is None:
            once = list(dict.fromkeys(toks))
            points = None
        else:
            merged = dict(zip(toks, pts, strict=True))
            once, points = list(merged), list(merged.values())
            given = list(zip(toks, pts, strict=True))
            if any(len({p for u, p in given if u == t}) > 1 for t in twice):
                how += " with the points of its last listing"
        self.warn(
            lineno,
            f"vote of voter {vid!r} lists project {listed} more than once",
            f"{how}, as pabutools reads it",
        )
        return once, points

    def _points(self, lineno: int, row: list[str], vid: str, n: int) -> list[Number]:
        rawp = row[self.points].strip()
        ptoks = [] if _is_empty_vote(rawp) else rawp.split(",")
        if len(ptoks) != n:
            raise PabulibError(lineno, f"voter {vid!r} gives {len(ptoks)} points for {n} projects")
        pts: list[Number] = []
        for t in ptoks:
            try:
                v = parse_number(t)
            except ValueError:
                raise PabulibError(
                    lineno, f"points {t.strip()!r} of voter {vid!r} is not a number"
                ) from None
            if v < 0:
                raise PabulibError(lineno, f"negative points {t.strip()!r} of voter {vid!r}")
            pts.append(v)
        return pts


def _has_repeats(idx: list[int], lengths: list[int], nprojects: int) -> bool:
    """Whether some ballot lists a project twice (vectorised: one sort of ballot*P + project)."""
    if max(lengths, default=0) <= 1:
        return False
    import numpy as np

    ballot = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    key = ballot * nprojects + np.asarray(idx, dtype=np.int64)
    key.sort()
    return bool((key[1:] == key[:-1]).any())


# --------------------------------------------------------------------------- writing


def write(election: Election) -> str:
    """Serialise ``election`` so that ``parse(write(e)) == e`` (``\\n`` line endings).

    The round trip is exact for every parsed election. For one built in code it holds when all
    projects (and all ballots) have the same field names, since a file has one column set.
    """
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    meta = dict(election.meta)
    try:
        meta_budget = parse_number(meta.get("budget", ""))
    except ValueError:
        meta_budget = None
    if meta_budget != election.budget:
        meta["budget"] = format_number(election.budget)
    meta["vote_type"] = meta.get("vote_type", election.vote_type)
    if meta["vote_type"].lower() != election.vote_type:
        meta["vote_type"] = election.vote_type
    out.write("META\n")
    w.writerow(["key", "value"])
    for k, v in meta.items():
        w.writerow([k, v])
    out.write("PROJECTS\n")
    pcols = list(election.project_columns)
    extra = [k for p in election.projects for k in p.fields if k not in pcols]
    for k in dict.fromkeys(extra):
        pcols.append(k)
    for required in ("cost", "project_id"):
        if required not in pcols:
            pcols.insert(0, required)
    w.writerow(pcols)
    for p in election.projects:
        row = []
        for c in pcols:
            if c == "project_id":
                row.append(p.project_id)
            elif c == "cost":
                row.append(format_number(p.cost))
            else:
                row.append(p.fields.get(c, ""))
        w.writerow(row)
    out.write("VOTES\n")
    ballots = election.ballot_columns()
    names = ballots._field_names
    vcols = list(election.vote_columns)
    vcols += [k for k in names if k not in vcols]
    for required in ("vote", "voter_id"):
        if required not in vcols:
            vcols.insert(0, required)
    if election.vote_type in _POINT_TYPES and "points" not in vcols:
        vcols.insert(vcols.index("vote") + 1, "points")
    n = len(ballots)
    tokens, indptr, pts = ballots._tokens, ballots._indptr, ballots._points
    by_name = dict(zip(names, ballots._field_cols, strict=True))
    columns: list[Iterable[str]] = []
    for c in vcols:
        if c == "voter_id":
            columns.append(ballots._voter_ids)
        elif c == "vote":
            columns.append(",".join(tokens[indptr[i] : indptr[i + 1]]) for i in range(n))
        elif c == "points" and pts is not None and c not in by_name:
            columns.append(
                ",".join(map(format_number, pts[indptr[i] : indptr[i + 1]])) for i in range(n)
            )
        else:
            columns.append(by_name.get(c, repeat("", n)))
    w.writerow(vcols)
    w.writerows(zip(*columns, strict=True))
    return out.getvalue()


def write_file(election: Election, path: str | os.PathLike[str]) -> None:
    """Write ``election`` to ``path`` as UTF-8."""
    Path(path).write_text(write(election), encoding="utf-8")
