"""Participatory budgets of the demo's Toulouse initiative.

Two budgets: the real 2022 Toulouse election replayed from its pabulib file (imported, tallied
with the Method of Equal Shares, published, with delivery milestones on some funded projects), and
a 2026 budget whose vote is open, so that a demo visitor can propose nothing more but can vote.
"""

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from coproduce.commissioning import services
from coproduce.commissioning.models import Budget, Proposal
from coproduce.commissioning.pabulib_io import budget_import_pabulib
from coproduce.commissioning.services import Choices
from coproduce.initiatives.models import Initiative, Participation
from coproduce.people.models import Person
from coproduce.people.selectors import person_is_professional

TOULOUSE_SLUG = "toulouse-participatory-budget"
ELECTION = Path(__file__).parent / "elections" / "France_Toulouse_2022.pb"

LIVE_AREAS = (
    ("Toulouse, Saint-Cyprien", Decimal("300000")),
    ("Toulouse, Bagatelle", Decimal("250000")),
    ("Toulouse, Empalot", Decimal("200000")),
)
# (area index, title, description, location, cost, feasible, review)
LIVE_PROPOSALS = (
    (
        0,
        "Des bancs ombragés sur la Prairie des Filtres",
        "Installer douze bancs à l'ombre des platanes, avec des accoudoirs pour les aînés.",
        "Prairie des Filtres",
        48000,
        True,
        "Faisable ; coût revu avec la pose et l'ancrage.",
    ),
    (
        0,
        "Fontaine à boire place Olivier",
        "Une fontaine d'eau potable accessible aux fauteuils roulants, près du marché.",
        "Place Olivier",
        35000,
        True,
        "Faisable : raccordement possible au réseau existant.",
    ),
    (
        0,
        "Jardin partagé rue de la République",
        "Transformer la friche en jardin partagé animé par le comité de quartier.",
        "Rue de la République",
        120000,
        True,
        "Faisable ; dépollution du sol comprise dans le coût.",
    ),
    (
        0,
        "Piste cyclable sur le pont Saint-Pierre",
        "Une piste séparée des voitures sur le pont.",
        "Pont Saint-Pierre",
        2400000,
        False,
        "Non faisable dans ce budget : ouvrage d'art de la Métropole, hors du montant disponible.",
    ),
    (
        1,
        "Terrain multisport au parc de la Faourette",
        "Rénover le terrain, ajouter un éclairage à détection et des filets.",
        "Parc de la Faourette",
        140000,
        True,
        "Faisable ; l'éclairage doit respecter la trame noire.",
    ),
    (
        1,
        "Boîtes à livres dans les halls d'immeubles",
        "Dix boîtes à livres fabriquées par l'atelier menuiserie du centre social.",
        "Bagatelle",
        8000,
        True,
        "Faisable, avec l'accord du bailleur pour chaque hall.",
    ),
    (
        1,
        "Aire de jeux inclusive square Vestrepain",
        "Des jeux accessibles aux enfants en situation de handicap.",
        "Square Vestrepain",
        160000,
        True,
        "Faisable ; coût revu après l'étude de sol.",
    ),
    (
        2,
        "Ombrières et brumisateurs place du marché",
        "Protéger le marché du dimanche de la chaleur.",
        "Place Commerson",
        90000,
        True,
        "Faisable ; les brumisateurs fonctionnent l'été seulement.",
    ),
    (
        2,
        "Atelier vélo solidaire",
        "Un local et des outils pour réparer son vélo avec des bénévoles.",
        "Rue Marie-Laurencin",
        45000,
        True,
        "Faisable dans un local municipal vacant.",
    ),
    (
        2,
        "Fresque participative sur le mur du gymnase",
        "Une fresque conçue avec les enfants de l'école et un artiste du quartier.",
        "Gymnase d'Empalot",
        25000,
        True,
        "Faisable ; le mur est propriété de la ville.",
    ),
)
# (project id in the 2022 file, milestone, days after publication, progress %)
REPLAY_MILESTONES = (
    ("116", "Abris commandés à l'atelier d'insertion", 30, 40),
    ("116", "Abris posés et inaugurés avec l'école", 120, 100),
    ("180", "Étude du terrain et plan de plantation validés", 45, 25),
)

Progress = Callable[[str], None]


def _people(initiative: Initiative, role: str) -> list[Person]:
    return [
        p.person
        for p in initiative.participations.filter(role=role)
        .select_related("person")
        .order_by("joined_at", "id")
    ]


def load_demo_budgets(*, rng: random.Random, progress: Progress) -> None:
    initiative = Initiative.objects.get(slug=TOULOUSE_SLUG)
    co_lead = _people(initiative, Participation.Role.CO_LEAD)[0]
    officials = [
        p for p in _people(initiative, Participation.Role.PROFESSIONAL) if person_is_professional(p)
    ]
    _replay_2022(initiative, co_lead, progress)
    _live_2026(initiative, co_lead, officials, rng, progress)


def _replay_2022(initiative: Initiative, co_lead: Person, progress: Progress) -> None:
    budget = budget_import_pabulib(
        actor=co_lead,
        initiative=initiative,
        data=ELECTION.read_bytes(),
        filename=ELECTION.name,
        slug="toulouse-2022",
        title="Budget participatif de Toulouse 2022 (vote réel rejoué)",
    ).budget
    results = services.budget_tally(actor=co_lead, budget=budget)
    services.budget_advance(actor=co_lead, budget=budget, to_stage=Budget.Stage.PUBLISHED)
    funded = {code for result in results for code in result.explanation["selected"]}
    published = dt.date.today()
    for code, title, days, percent in REPLAY_MILESTONES:
        if code not in funded:
            continue
        when = published + dt.timedelta(days=days)
        services.milestone_add(
            actor=co_lead,
            proposal=budget.proposals.get(code=code),
            title=title,
            due_on=when,
            done_on=when if when <= dt.date.today() else None,
            progress=percent,
        )
    progress(
        f"Budget: Toulouse 2022 replayed ({budget.ballots.count()} ballots, "
        f"{len(funded)} projects funded)"
    )


def _live_2026(
    initiative: Initiative,
    co_lead: Person,
    officials: list[Person],
    rng: random.Random,
    progress: Progress,
) -> None:
    budget = services.budget_create(
        actor=co_lead,
        initiative=initiative,
        title="Budget participatif 2026 : trois quartiers",
        slug="toulouse-2026",
        description=(
            "Trois quartiers pilotes décident de leurs projets. Chaque personne vote pour les "
            "projets de son choix dans la limite du montant de chaque quartier ; le résultat est "
            "calculé par la méthode des parts égales."
        ),
        areas=LIVE_AREAS,
        eligibility=Budget.Eligibility.ANYONE,
        minimum_age=16,
        stage=Budget.Stage.PROPOSALS,
    )
    citizens = _people(initiative, Participation.Role.CITIZEN)
    areas = list(budget.areas.order_by("id"))
    for index, title, description, location, cost, feasible, reason in LIVE_PROPOSALS:
        proposal = services.proposal_submit(
            actor=rng.choice(citizens),
            budget=budget,
            area=areas[index],
            title=title,
            description=description,
            location=location,
            estimated_cost=Decimal(cost),
        )
        services.proposal_review(
            actor=officials[0],
            proposal=proposal,
            feasible=feasible,
            cost=Decimal(round(cost * rng.uniform(0.95, 1.15), -3)) if feasible else Decimal(cost),
            reason=reason,
        )
    services.budget_advance(actor=co_lead, budget=budget, to_stage=Budget.Stage.REVIEW)
    services.budget_advance(actor=co_lead, budget=budget, to_stage=Budget.Stage.VOTING)
    feasible = list(budget.proposals.filter(status=Proposal.Status.FEASIBLE).select_related("area"))
    voters = [p for p in citizens if p.email_confirmed]
    for voter in voters[: max(1, len(voters) * 2 // 3)]:
        choices = _random_ballot(feasible, areas, rng)
        services.ballot_cast(voter=voter, budget=budget, choices=choices, age_confirmed=True)
    for number in range(3):
        ballot = services.paper_ballot_enter(
            official=officials[0],
            budget=budget,
            choices=_random_ballot(feasible, areas, rng),
            voter_area=areas[number].name,
        )
        if number < 2 and len(officials) > 1:
            services.paper_ballot_confirm(official=officials[1], ballot=ballot)
    progress(
        f"Budget: Toulouse 2026 open for voting ({budget.ballots.count()} ballots so far, "
        "3 on paper)"
    )


def _random_ballot(feasible: list[Proposal], areas, rng: random.Random) -> Choices:
    """A plausible approval ballot: a few projects in one or two areas, within each limit."""
    chosen: set[str] = set()
    for area in rng.sample(areas, k=rng.choice((1, 1, 2))):
        room = area.amount
        options = [p for p in feasible if p.area_id == area.pk]
        rng.shuffle(options)
        for proposal in options[: rng.randint(1, 3)]:
            if proposal.cost <= room:
                chosen.add(proposal.code)
                room -= proposal.cost
    if not chosen:
        chosen.add(min(feasible, key=lambda p: p.cost).code)
    return Choices(approvals=frozenset(chosen))
