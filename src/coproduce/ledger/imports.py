"""Reading contributions from a CSV timesheet (many services keep paper or spreadsheet ones).

Every row is checked and every problem is reported with its line number, before anything is
written; :func:`coproduce.delivery.services.contribution_import` then records the good rows, or
nothing at all when any row is bad unless asked to skip bad rows.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.initiatives.models import Initiative, Participation, Phase
from coproduce.people.models import Membership, Organisation, Person
from coproduce.ranges import contribution_quantity_problem, has_places

from .activities import activity_index
from .models import Capacity, ContributionKind

REQUIRED_COLUMNS = ("email", "date", "kind", "quantity")
OPTIONAL_COLUMNS = ("capacity", "organisation", "phase", "activity", "work_type", "description")
#: Earlier timesheets called the activity column "task" (a co-delivery task); both are read.
COLUMN_ALIASES = {"task": "activity"}
MAX_ROWS = 50_000
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y")
KIND_ALIASES = {"hours": ContributionKind.TIME, "hour": ContributionKind.TIME}
CAPACITY_ALIASES = {"organization": Capacity.ORGANISATION, "org": Capacity.ORGANISATION}


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str

    def __str__(self) -> str:
        if self.line:
            return _("Line %(line)d: %(problem)s") % {"line": self.line, "problem": self.message}
        return self.message


@dataclass
class ParsedRow:
    line: int
    person: Person
    kind: str
    quantity: Decimal
    occurred_on: dt.date
    capacity: str
    organisation: Organisation | None
    phase: Phase | None
    activity: models.Model | None  # e.g. a co-delivery task, found through ledger.activities
    work_type: str
    description: str


@dataclass
class ParsedFile:
    rows: list[ParsedRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    lines_read: int = 0


def _decode(content: bytes) -> str | None:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _reader(text: str) -> csv.DictReader:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample.splitlines()[0] if sample else ",", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)


def _choice(value: str, choices: type, aliases: dict[str, str]) -> str | None:
    key = value.strip().lower()
    if key in aliases:
        return aliases[key]
    for code, label in choices.choices:
        if key in (code, str(label).lower()):
            return code
    return None


def _date(value: str) -> dt.date | None:
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _quantity(value: str) -> Decimal | None:
    text = value.strip().replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount <= 0 or not has_places(amount, 2):
        return None
    return amount


def _read_rows(reader: csv.DictReader, parsed: ParsedFile) -> list | None:
    """The file's non-empty rows with their line numbers, or None when the header is wrong or
    the file too long (the problem is added to ``parsed``)."""
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    header = [COLUMN_ALIASES.get(name, name) for name in header]
    reader.fieldnames = header
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        parsed.problems.append(
            RowProblem(
                1,
                _("the header lacks the column(s) %(columns)s.") % {"columns": ", ".join(missing)},
            )
        )
        return None
    unknown = [c for c in header if c and c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        parsed.problems.append(
            RowProblem(1, _("unknown column(s) %(columns)s.") % {"columns": ", ".join(unknown)})
        )
        return None

    raw_rows: list[tuple[int, dict[str, str]]] = []
    for row in reader:
        if len(raw_rows) >= MAX_ROWS:
            parsed.problems.append(
                RowProblem(
                    reader.line_num,
                    _("a file may hold %(max)d rows at most; split it.") % {"max": MAX_ROWS},
                )
            )
            return None
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        raw_rows.append((reader.line_num, row))
    return raw_rows


def parse_contributions_csv(*, initiative: Initiative, content: bytes) -> ParsedFile:
    """Check every row of a timesheet; return the good rows and the problems, line by line."""
    parsed = ParsedFile()
    text = _decode(content)
    if text is None:
        parsed.problems.append(
            RowProblem(0, _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."))
        )
        return parsed
    if not text.strip():
        parsed.problems.append(RowProblem(0, _("The file is empty.")))
        return parsed
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        parsed.problems.append(RowProblem(line, _("a NUL character: this is not a text file.")))
        return parsed
    reader = _reader(text)
    try:
        raw_rows = _read_rows(reader, parsed)
    except csv.Error as error:
        parsed.problems.append(
            RowProblem(
                reader.line_num + 1,
                _("the file cannot be read as CSV (%(error)s).") % {"error": error},
            )
        )
        return parsed
    if raw_rows is None:
        return parsed
    parsed.lines_read = len(raw_rows)

    emails = {(row.get("email") or "").strip().lower() for _line, row in raw_rows}
    people = {p.email.lower(): p for p in Person.objects.filter(email__in=emails)}
    organisations = {}
    for organisation in Organisation.objects.all():
        organisations[organisation.slug.lower()] = organisation
        organisations[organisation.name.lower()] = organisation
    members = set(Membership.objects.values_list("person_id", "organisation_id"))
    roles = {}
    for person_id, role, organisation_id in Participation.objects.filter(
        initiative=initiative
    ).values_list("person_id", "role", "organisation_id"):
        roles[person_id] = role
        if organisation_id:
            members.add((person_id, organisation_id))
    phases = {}
    for phase in initiative.phases.all():
        phases[phase.kind] = phase
        phases[str(phase.get_kind_display()).lower()] = phase
    activities = activity_index(initiative)
    today = timezone.localdate()

    for line, row in raw_rows:
        problems: list[str] = []

        def cell(name: str, row=row) -> str:
            return (row.get(name) or "").strip()

        if None in row:
            problems.append(_("more cells than columns in the header."))
        email = cell("email").lower()
        person = people.get(email)
        if not email:
            problems.append(_("the email is empty."))
        elif person is None:
            problems.append(
                _("nobody has an account with the email “%(email)s”.") % {"email": email}
            )
        occurred_on = _date(cell("date"))
        if occurred_on is None:
            problems.append(
                _("“%(value)s” is not a date (use 2026-03-31 or 31/03/2026).")
                % {"value": cell("date")}
            )
        elif occurred_on > today:
            problems.append(_("the date %(date)s is in the future.") % {"date": cell("date")})
        kind = _choice(cell("kind"), ContributionKind, KIND_ALIASES)
        if kind is None:
            problems.append(
                _("unknown kind “%(value)s” (one of %(choices)s).")
                % {"value": cell("kind"), "choices": ", ".join(ContributionKind.values)}
            )
        quantity = _quantity(cell("quantity"))
        if quantity is None:
            problems.append(
                _("“%(value)s” is not a quantity above zero with at most two decimals.")
                % {"value": cell("quantity")}
            )
        elif kind is not None and (problem := contribution_quantity_problem(kind, quantity)):
            problems.append(problem)
        organisation = None
        if cell("organisation"):
            organisation = organisations.get(cell("organisation").lower())
            if organisation is None:
                problems.append(
                    _("unknown organisation “%(value)s”.") % {"value": cell("organisation")}
                )
            elif person is not None and (person.pk, organisation.pk) not in members:
                problems.append(
                    _("%(person)s does not belong to %(organisation)s.")
                    % {"person": email, "organisation": organisation.name}
                )
        if cell("capacity"):
            capacity = _choice(cell("capacity"), Capacity, CAPACITY_ALIASES)
            if capacity is None:
                problems.append(
                    _("unknown capacity “%(value)s” (one of %(choices)s).")
                    % {"value": cell("capacity"), "choices": ", ".join(Capacity.values)}
                )
        elif cell("organisation"):
            capacity = Capacity.ORGANISATION
        elif person is not None and roles.get(person.pk) == Participation.Role.PROFESSIONAL:
            capacity = Capacity.PROFESSIONAL
        else:
            capacity = Capacity.CITIZEN
        if capacity == Capacity.ORGANISATION and not cell("organisation"):
            problems.append(_("say on behalf of which organisation (column organisation)."))
        if capacity and capacity != Capacity.ORGANISATION and cell("organisation"):
            problems.append(_("an organisation is named but the capacity is not “organisation”."))
        phase = None
        if cell("phase"):
            phase = phases.get(cell("phase").lower())
            if phase is None:
                problems.append(
                    _("unknown phase “%(value)s” (one of %(choices)s).")
                    % {"value": cell("phase"), "choices": ", ".join(Phase.Kind.values)}
                )
        activity = None
        if cell("activity"):
            activity = activities.get(cell("activity").lower())
            if activity is None:
                problems.append(_("unknown activity “%(value)s”.") % {"value": cell("activity")})
        if len(cell("work_type")) > 80:
            problems.append(_("the kind of work is longer than 80 characters."))
        if len(cell("description")) > 300:
            problems.append(_("the description is longer than 300 characters."))
        if problems:
            parsed.problems.append(RowProblem(line, " ".join(problems)))
            continue
        parsed.rows.append(
            ParsedRow(
                line=line,
                person=person,
                kind=kind,
                quantity=quantity,
                occurred_on=occurred_on,
                capacity=capacity,
                organisation=organisation,
                phase=phase,
                activity=activity,
                work_type=cell("work_type") or getattr(activity, "work_type", ""),
                description=cell("description"),
            )
        )
    return parsed
