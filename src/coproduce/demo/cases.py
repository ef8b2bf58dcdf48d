"""The six demo cases, modelled on the examples in the co-production literature the product grew
from: fire prevention with volunteers (Hertfordshire), peer mentoring of older tenants (Sheffield),
greening alleyways (Montreal), parent co-operative childcare (Sweden), neighbourhood watch (the
Netherlands and Belgium) and participatory budgeting (French cities).

Every organisation and person is invented; the cities are real so that the cases read as they
would in practice. This module is plain data: :mod:`coproduce.demo.data` turns it into people,
memberships and participations, and :mod:`coproduce.demo.loader` writes it through the services.

Phase dates are offsets in days from the day the demo is loaded, so the demo always looks current:
some initiatives are in co-delivery, one is in co-commissioning and one is completed.
"""

from dataclasses import dataclass

# Sectors of an organisation (people.models.Sector).
PUBLIC, THIRD, PRIVATE, COMMUNITY = "public", "third", "private", "community"
# Membership roles (people.models.Membership.Role).
STAFF, VOLUNTEER, SERVICE_USER, MANAGER = "staff", "volunteer", "service_user", "manager"
# Participation roles and channels (initiatives.models.Participation).
CO_LEAD, PROFESSIONAL, CITIZEN, PARTNER, OBSERVER = (
    "co_lead",
    "professional",
    "citizen",
    "partner",
    "observer",
)
SELF, INVITATION, FOUNDER, ADMIN, IMPORT = "self", "invitation", "founder", "admin", "import"
# Phase kinds and statuses (initiatives.models.Phase).
COMMISSION, DESIGN, DELIVER, ASSESS = "commission", "design", "deliver", "assess"
PLANNED, OPEN, DONE = "planned", "open", "done"


@dataclass(frozen=True)
class OrgDef:
    slug: str
    name: str
    sectors: tuple[str, ...]
    area: str
    description: str

    @property
    def website(self) -> str:
        return f"https://{self.slug}.example.org/"


@dataclass(frozen=True)
class ServiceDef:
    name: str
    sector: str
    funder: str  # organisation slug
    description: str


@dataclass(frozen=True)
class PhaseDef:
    """Dates are days from the load date; a phase that is under way spans day 0."""

    starts: int
    ends: int
    status: str
    notes: str


@dataclass(frozen=True)
class CoLeadDef:
    """A generated co-lead: who they act for, the memberships that make them credible, a bio."""

    organisation: str
    memberships: tuple[tuple[str, str], ...]
    bio: str


@dataclass(frozen=True)
class CaseDef:
    slug: str
    title: str
    summary: str
    description: str
    level: str
    status: str
    area: str
    host: str | None  # organisation slug; None = the neutral shared space
    language: str  # of people's names: en, fr, sv, nl
    timezone: str
    neighbourhoods: tuple[str, ...]
    service: ServiceDef
    organisations: tuple[OrgDef, ...]
    phases: dict[str, PhaseDef]
    size: tuple[int, int]  # participants, all roles included
    co_leads: tuple[CoLeadDef, ...]
    professionals: tuple[tuple[str, int, int], ...]  # (organisation, min, max), staff members
    partners: tuple[str, ...]  # one representative (a manager) per organisation
    observers: tuple[int, int]
    # Citizens' ties to the organisations: (weight, memberships) — no memberships = unaffiliated.
    citizen_profiles: tuple[tuple[int, tuple[tuple[str, str], ...]], ...]
    citizen_channels: tuple[tuple[str, int], ...]
    # Some citizens of an earlier case in the same town also take part in this one.
    shares_citizens_with: str | None = None
    shared_citizens: tuple[int, int] = (0, 0)
    service_user_max_days: int = 9000


FIRE = CaseDef(
    slug="safe-at-home-millbrook",
    title="Safe at Home: volunteer home-safety visits",
    summary=(
        "Firefighters and trained resident volunteers visit older and isolated households "
        "together: they fit smoke alarms, check escape routes and heating, and link people to "
        "local support, so that prevention reaches the homes where fires are most likely."
    ),
    description="""\
Years of budget cuts left Pennine Metropolitan Fire and Rescue Service with fewer crews and a \
clear lesson from its own incident data: most people who die in house fires are over 65, live \
alone and were never visited by a prevention team. Rather than ration home visits further, the \
Service chose to co-produce prevention with the people who already know these households.

Trained volunteers, recruited and supported by the Pennine Safer Communities Trust (a charity set \
up by the fire authority), carry out "Safe and Well" visits in pairs or alongside a community \
safety advocate. They fit and test alarms, talk through escape plans, spot unsafe heaters and \
overloaded sockets, and ask about falls, loneliness and cold homes. Referrals come from Millbrook \
Homes, GP surgeries, the Oldbridge Tenants' and Residents' Association and from neighbours \
themselves.

The initiative is co-led by a station manager, the Trust's volunteer coordinator and the chair of \
the tenants' association. Moving from a command-and-control culture to shared leadership has not \
always been easy: volunteers asked for a say in which streets are visited first and in how visits \
are recorded, and the routing rules were redesigned with them during co-design.

Co-delivery runs until the end of the year. The co-assessment will compare dwelling fires, alarm \
activations and hospital admissions after falls in visited and not-yet-visited streets, alongside \
volunteer hours, what households said about the visits, and which eligible households the scheme \
still does not reach.""",
    level="co_production",
    status="active",
    area="Millbrook",
    host="pennine-fire-rescue",
    language="en",
    timezone="Europe/London",
    neighbourhoods=(
        "Millbrook town centre",
        "Oldbridge",
        "Ashworth",
        "Hollins Green",
        "Castle Fold",
        "Brookhouse",
        "Moorside",
    ),
    service=ServiceDef(
        name="Home fire-safety prevention",
        sector="fire_rescue",
        funder="pennine-fire-rescue",
        description=(
            "Home fire-risk checks, smoke and heat alarms, and advice on escape plans, funded by "
            "the fire authority's prevention budget and targeted at the households most at risk."
        ),
    ),
    organisations=(
        OrgDef(
            "pennine-fire-rescue",
            "Pennine Metropolitan Fire and Rescue Service",
            (PUBLIC,),
            "Pennine Metropolitan area",
            "The fire and rescue service for ten boroughs around Millbrook: 41 fire stations, "
            "about 1,400 staff, and a prevention department that has shrunk by a third in ten "
            "years.",
        ),
        OrgDef(
            "pennine-safer-communities-trust",
            "Pennine Safer Communities Trust",
            (PUBLIC, THIRD),
            "Pennine Metropolitan area",
            "A registered charity set up by the fire authority to involve volunteers in "
            "prevention. Two fire officers sit on its board of trustees, its volunteers are "
            "insured by the Service, and it raises its own funds: a hybrid of public agency and "
            "charity.",
        ),
        OrgDef(
            "oldbridge-tenants-residents",
            "Oldbridge Tenants' and Residents' Association",
            (COMMUNITY,),
            "Oldbridge",
            "A residents' association covering the Oldbridge estate's 1,100 homes, run entirely "
            "by volunteers; it meets monthly in the community centre.",
        ),
    ),
    phases={
        COMMISSION: PhaseDef(
            -330,
            -271,
            DONE,
            "Incident data, the fire authority's risk plan and tenants' own accounts were used to "
            "agree who the visits are for: residents over 65 living alone, households with a "
            "smoker and people with limited mobility.",
        ),
        DESIGN: PhaseDef(
            -270,
            -181,
            DONE,
            "The visit script, the volunteers' training (two evenings and a shadowed visit) and "
            "the referral form were designed in four workshops with volunteers, crews and "
            "tenants.",
        ),
        DELIVER: PhaseDef(
            -180,
            185,
            OPEN,
            "Volunteers sign up for visit slots in pairs; a crew joins the visit where hoarding "
            "or home oxygen has been flagged.",
        ),
        ASSESS: PhaseDef(
            186,
            270,
            PLANNED,
            "Outcome indicators and a short household survey, analysed with volunteers before "
            "the annual report to the fire authority.",
        ),
    },
    size=(95, 130),
    co_leads=(
        CoLeadDef(
            "pennine-safer-communities-trust",
            (("pennine-safer-communities-trust", STAFF),),
            "Volunteer coordinator at the Pennine Safer Communities Trust; recruits, trains and "
            "supports the home-safety volunteers.",
        ),
        CoLeadDef(
            "oldbridge-tenants-residents",
            (("oldbridge-tenants-residents", MANAGER), ("millbrook-homes", SERVICE_USER)),
            "Chair of the Oldbridge Tenants' and Residents' Association; lived on the estate for "
            "thirty years and knows who has not been seen at the shops lately.",
        ),
    ),
    professionals=(("pennine-fire-rescue", 9, 15), ("pennine-safer-communities-trust", 2, 4)),
    partners=("millbrook-homes", "millbrook-adult-social-care"),
    observers=(2, 4),
    citizen_profiles=(
        (5, (("pennine-safer-communities-trust", VOLUNTEER),)),
        (2, (("oldbridge-tenants-residents", VOLUNTEER),)),
        (2, (("millbrook-homes", SERVICE_USER),)),
        (3, ()),
    ),
    citizen_channels=((INVITATION, 3), (SELF, 4), (ADMIN, 1), (IMPORT, 1)),
)


HOUSING = CaseDef(
    slug="friends-in-later-life",
    title="Friends in Later Life: peer mentoring against loneliness",
    summary=(
        "Older tenants who have known loneliness themselves are paired as peer mentors with "
        "neighbours who are isolated now. Millbrook Homes, Silver Threads Befriending and the "
        "Older Tenants' Voice panel run the project together, with older people on its board."
    ),
    description="""\
Millbrook Homes manages about 9,000 homes, and one tenant in five is over 65. A tenancy audit \
found that many of them go days without a conversation, and that loneliness showed up in the \
housing service as missed repair appointments, rent arrears and emergency moves into care. The \
housing association decided not to buy in a befriending service but to build one with the people \
it is meant for.

From the first brief the project was written with older tenants. People who have been through \
loneliness and isolation themselves, "experts by experience", sit on the project board next to \
the association's tenant involvement manager and the coordinator of Silver Threads Befriending, a \
local charity that trains and supervises the mentors. Mentors meet their mentee weekly for up to \
six months: a walk, a cup of tea, a trip to the library, help to join a group, and gradually to \
need the mentor less.

Co-management means the organisations share the running of the project, not only its funding. \
Millbrook Homes provides referrals, meeting rooms and tenancy support; Silver Threads recruits, \
trains and supervises the mentors; the Older Tenants' Voice panel sets the priorities each \
quarter and reviews every complaint; the council's adult social care team refers older people \
who are not tenants.

The first round of mentoring has ended and the co-assessment is under way: older peer \
researchers interview mentors and mentees, and the board compares loneliness scores, GP visits \
and tenancy outcomes with those at the start of the project.""",
    level="co_management",
    status="active",
    area="Millbrook",
    host="millbrook-homes",
    language="en",
    timezone="Europe/London",
    neighbourhoods=(
        "Millbrook town centre",
        "Oldbridge",
        "Hollins Green",
        "Castle Fold",
        "Brookhouse",
        "Moorside",
        "St Anne's",
    ),
    service=ServiceDef(
        name="Tenancy support for older tenants",
        sector="housing",
        funder="millbrook-homes",
        description=(
            "Support that helps older tenants keep their home and their independence: "
            "adaptations, welfare advice and, through this project, peer mentoring."
        ),
    ),
    organisations=(
        OrgDef(
            "millbrook-homes",
            "Millbrook Homes",
            (THIRD, PRIVATE),
            "Millbrook",
            "A not-for-profit housing association run as a social enterprise: about 9,000 homes "
            "for social rent, with surpluses from market-rent flats reinvested in its tenants.",
        ),
        OrgDef(
            "silver-threads-befriending",
            "Silver Threads Befriending",
            (THIRD,),
            "Millbrook",
            "A local charity founded in 2004 that trains volunteer befrienders and runs lunch "
            "clubs for older people; four paid staff and about a hundred volunteers.",
        ),
        OrgDef(
            "millbrook-adult-social-care",
            "Millbrook Metropolitan Borough Council, Adult Social Care",
            (PUBLIC,),
            "Millbrook",
            "The council department responsible for assessing and meeting the care needs of "
            "adults in the borough.",
        ),
        OrgDef(
            "older-tenants-voice",
            "Older Tenants' Voice",
            (COMMUNITY,),
            "Millbrook",
            "An independent panel of Millbrook Homes tenants aged 60 and over that scrutinises "
            "the association's services and speaks for older tenants.",
        ),
    ),
    phases={
        COMMISSION: PhaseDef(
            -360,
            -311,
            DONE,
            "A tenancy audit and twelve kitchen-table conversations with older tenants shaped "
            "the brief; the board agreed the budget and the peer-mentor model.",
        ),
        DESIGN: PhaseDef(
            -310,
            -241,
            DONE,
            "The mentor role, the training, the safeguarding rules and the matching process were "
            "co-designed with older tenants and the charity's volunteers.",
        ),
        DELIVER: PhaseDef(
            -240,
            -31,
            DONE,
            "First round: mentors and mentees met weekly for up to six months, with monthly "
            "group supervision for mentors.",
        ),
        ASSESS: PhaseDef(
            -30,
            60,
            OPEN,
            "Peer researchers interview participants; the board reviews loneliness scores, "
            "health and tenancy outcomes before deciding on a second round.",
        ),
    },
    size=(60, 90),
    co_leads=(
        CoLeadDef(
            "millbrook-homes",
            (("millbrook-homes", MANAGER),),
            "Tenant involvement manager at Millbrook Homes; before that, ten years as a housing "
            "officer on the Oldbridge estate.",
        ),
        CoLeadDef(
            "older-tenants-voice",
            (("older-tenants-voice", MANAGER), ("millbrook-homes", SERVICE_USER)),
            "Chair of Older Tenants' Voice. Retired bus driver; says he joined the panel after a "
            "winter when he spoke to nobody for a fortnight.",
        ),
    ),
    professionals=(
        ("millbrook-homes", 4, 6),
        ("silver-threads-befriending", 2, 3),
        ("millbrook-adult-social-care", 2, 3),
    ),
    partners=("millbrook-adult-social-care",),
    observers=(1, 3),
    citizen_profiles=(
        (5, (("millbrook-homes", SERVICE_USER),)),
        (3, (("millbrook-homes", SERVICE_USER), ("silver-threads-befriending", VOLUNTEER))),
        (2, (("older-tenants-voice", VOLUNTEER), ("millbrook-homes", SERVICE_USER))),
        (1, ()),
    ),
    citizen_channels=((INVITATION, 4), (SELF, 2), (ADMIN, 1)),
    shares_citizens_with="safe-at-home-millbrook",
    shared_citizens=(6, 10),
)


ALLEYWAYS = CaseDef(
    slug="ruelles-vertes-croix-rousse",
    title="Green alleyways of the Croix-Rousse (ruelles vertes)",
    summary=(
        "Residents turned seven paved passages and courtyards of the Croix-Rousse into shared "
        "gardens. The City lent tools, issued permits in weeks rather than months and sent "
        "gardeners to advise; neighbours planned, planted and now look after the beds."
    ),
    description="""\
The slopes and plateau of the Croix-Rousse are crossed by traboules, passages and narrow alleys \
that are mostly stone and asphalt, hot in summer and little used. Inspired by the greening of \
alleyways in Montreal, a residents' collective asked the City of Lyon whether neighbours could \
take some of them over and plant them.

The City's green spaces department agreed to act as a partner rather than a gatekeeper. It named \
a single contact for the project, grouped the permits to occupy public space and the works \
authorisation into one decision, lent tools and a trailer from the district depot, supplied \
compost and plants from the municipal nursery, and sent a gardener to every working day. The \
Graines des Pentes association ran planting workshops and chose drought-tolerant species with \
residents; the Régie de quartier, which employs local jobseekers on maintenance work, removed \
asphalt and built the planters.

Each alleyway has a residents' charter that says who waters, who prunes and how neighbours settle \
disagreements. The City remains responsible for drains, lighting and the safety of the ground.

The project is complete. The co-assessment counted 410 square metres of ground unsealed, 64 \
planters and 3,200 plants, and recorded what residents said about the use of the alleys, the \
summer heat and their relations with neighbours. The charters and the simplified permit procedure \
have been published so that other districts can reuse them.""",
    level="co_production",
    status="completed",
    area="Lyon, Croix-Rousse",
    host="lyon-espaces-verts",
    language="fr",
    timezone="Europe/Paris",
    neighbourhoods=(
        "Lyon 1er, Pentes de la Croix-Rousse",
        "Lyon 4e, Plateau de la Croix-Rousse",
        "Lyon 4e, Gros Caillou",
        "Lyon 1er, Terreaux",
        "Lyon 4e, Serin",
    ),
    service=ServiceDef(
        name="Public green spaces of Lyon",
        sector="public_space",
        funder="lyon-espaces-verts",
        description=(
            "Planting, maintenance and permits for the city's parks, squares, street trees and "
            "other green public spaces."
        ),
    ),
    organisations=(
        OrgDef(
            "lyon-espaces-verts",
            "Ville de Lyon, Direction des espaces verts",
            (PUBLIC,),
            "Lyon",
            "The City of Lyon's green spaces department: parks, street trees, the municipal "
            "nursery and about 400 gardeners.",
        ),
        OrgDef(
            "graines-des-pentes",
            "Association Graines des Pentes",
            (THIRD,),
            "Lyon, Croix-Rousse",
            "A gardening association that runs shared gardens and planting workshops on the "
            "slopes of the Croix-Rousse.",
        ),
        OrgDef(
            "collectif-ruelles-croix-rousse",
            "Collectif des ruelles de la Croix-Rousse",
            (COMMUNITY,),
            "Lyon, Croix-Rousse",
            "An informal collective of residents who want the neighbourhood's passages and "
            "alleys to be greener, cooler and shared.",
        ),
        OrgDef(
            "regie-quartier-croix-rousse",
            "Régie de quartier Croix-Rousse Solidaire",
            (THIRD, COMMUNITY),
            "Lyon, Croix-Rousse",
            "A neighbourhood management association governed jointly by residents, the City and "
            "social landlords; it employs local jobseekers to maintain shared spaces.",
        ),
    ),
    phases={
        COMMISSION: PhaseDef(
            -350,
            -311,
            DONE,
            "Residents mapped the alleys that could be greened and the City agreed which ones it "
            "could support, with a budget for plants, compost and tool loans.",
        ),
        DESIGN: PhaseDef(
            -310,
            -241,
            DONE,
            "A design workshop per alleyway with the neighbours, a City gardener and the "
            "association; the permits were grouped into one decision.",
        ),
        DELIVER: PhaseDef(
            -240,
            -121,
            DONE,
            "Eleven working days: asphalt removed by the Régie, planters built, planting by "
            "residents with tools lent by the City.",
        ),
        ASSESS: PhaseDef(
            -120,
            -31,
            DONE,
            "Plants, surfaces and summer temperatures measured; residents' views gathered; "
            "charters and permit procedure published.",
        ),
    },
    size=(35, 55),
    co_leads=(
        CoLeadDef(
            "lyon-espaces-verts",
            (("lyon-espaces-verts", STAFF),),
            "Project officer in the City's green spaces department, in charge of residents' "
            "greening projects in the 1st and 4th arrondissements.",
        ),
        CoLeadDef(
            "collectif-ruelles-croix-rousse",
            (("collectif-ruelles-croix-rousse", MANAGER),),
            "Landscape architect and resident of the Pentes; started the collective after a "
            "summer of 40 °C in her courtyard.",
        ),
    ),
    professionals=(
        ("lyon-espaces-verts", 3, 5),
        ("regie-quartier-croix-rousse", 2, 3),
        ("graines-des-pentes", 1, 2),
    ),
    partners=("graines-des-pentes", "regie-quartier-croix-rousse"),
    observers=(1, 3),
    citizen_profiles=(
        (5, (("collectif-ruelles-croix-rousse", VOLUNTEER),)),
        (2, (("graines-des-pentes", VOLUNTEER),)),
        (3, ()),
    ),
    citizen_channels=((SELF, 4), (INVITATION, 3)),
)


CHILDCARE = CaseDef(
    slug="blaklockan-parent-cooperative",
    title="Blåklockan parent co-operative preschool",
    summary=(
        "Forty families own and run the Blåklockan preschool in Majorna as a parent "
        "co-operative: qualified teachers lead the pedagogy; parents sit on the board, cook, "
        "clean and repair; the City of Gothenburg funds each place as in its own preschools."
    ),
    description="""\
Blåklockan was founded in 1989 by parents who wanted more say in their children's preschool than \
a municipal unit could give them. It is an economic association: every family with a child \
enrolled is a member, the annual meeting elects a board of parents, and the board employs the \
staff. The City of Gothenburg's preschool administration pays the same amount per child as in \
its own preschools and inspects quality against the national curriculum.

Parents contribute time as well as fees. Each family takes a share of the work rota: a week of \
cooking every term, cleaning on Friday afternoons, the spring and autumn garden days, and one \
board or committee role. In return they decide together on opening hours, meals, outings and \
investments, and they see the daily work of the preschool at first hand.

The professionals stay in charge of the children's learning. The head of the preschool and the \
teachers decide on pedagogy and on every question that concerns an individual child; the board \
decides on budget, staffing and the building. Drawing that line clearly, and revisiting it every \
year, is what keeps the arrangement working.

This initiative covers the current preschool year. The board, the staff and the City agreed the \
priorities (an outdoor learning area and more flexible hours for parents who work shifts), \
redesigned the work rota so that single parents and parents working nights are not excluded, and \
are now delivering. A joint assessment with the City's quality survey follows in the summer.""",
    level="co_management",
    status="active",
    area="Göteborg, Majorna",
    host="blaklockan-parent-cooperative",
    language="sv",
    timezone="Europe/Stockholm",
    neighbourhoods=tuple(
        f"Göteborg, {name}"
        for name in ("Majorna", "Kungsladugård", "Masthugget", "Linnéstaden", "Sandarna")
    ),
    service=ServiceDef(
        name="Preschool (förskola) in Gothenburg",
        sector="childcare",
        funder="goteborg-forskola",
        description=(
            "Publicly funded preschool for children aged one to five, run by the City or by "
            "independent providers such as parent co-operatives on equal funding."
        ),
    ),
    organisations=(
        OrgDef(
            "goteborg-forskola",
            "Göteborgs Stad, Förskoleförvaltningen",
            (PUBLIC,),
            "Göteborg",
            "The City of Gothenburg's preschool administration: funds every preschool place in "
            "the city and runs most of them.",
        ),
        OrgDef(
            "blaklockan-parent-cooperative",
            "Föräldrakooperativet Blåklockan",
            (THIRD, COMMUNITY),
            "Göteborg, Majorna",
            "A parent co-operative preschool (economic association) for about 45 children: "
            "owned by the families, run by their elected board, with six qualified teachers "
            "and a cook on staff.",
        ),
        OrgDef(
            "kooperativa-forskolor-vast",
            "Kooperativa förskolor Väst",
            (THIRD,),
            "Västra Götaland",
            "An umbrella association of co-operative preschools in western Sweden offering "
            "payroll, training for boards and advice on the law.",
        ),
        OrgDef(
            "majorna-kvartersforening",
            "Majorna-Kungsladugårds kvartersförening",
            (COMMUNITY,),
            "Göteborg, Majorna",
            "A neighbourhood association that runs the local summer festival and looks after "
            "the courtyard gardens between the landshövdingehus blocks.",
        ),
    ),
    phases={
        COMMISSION: PhaseDef(
            -340,
            -301,
            DONE,
            "The annual meeting, the staff and the City agreed the year's priorities and the "
            "budget.",
        ),
        DESIGN: PhaseDef(
            -300,
            -231,
            DONE,
            "The work rota and the outdoor learning area were designed with parents, teachers "
            "and the children themselves.",
        ),
        DELIVER: PhaseDef(
            -230,
            135,
            OPEN,
            "Preschool year under way: cooking and cleaning weeks, garden days and the outdoor "
            "classroom being built.",
        ),
        ASSESS: PhaseDef(
            136,
            180,
            PLANNED,
            "Parents' and staff's survey alongside the City's quality survey; results discussed "
            "at the annual meeting.",
        ),
    },
    size=(50, 70),
    co_leads=(
        CoLeadDef(
            "blaklockan-parent-cooperative",
            (
                ("blaklockan-parent-cooperative", MANAGER),
                ("blaklockan-parent-cooperative", SERVICE_USER),
            ),
            "Chair of the co-operative's board; father of two, nurse on rotating shifts.",
        ),
        CoLeadDef(
            "blaklockan-parent-cooperative",
            (("blaklockan-parent-cooperative", STAFF),),
            "Head of the preschool and qualified preschool teacher; has worked at Blåklockan "
            "for twelve years.",
        ),
        CoLeadDef(
            "goteborg-forskola",
            (("goteborg-forskola", STAFF),),
            "Officer for independent preschools at the City of Gothenburg.",
        ),
    ),
    professionals=(("blaklockan-parent-cooperative", 5, 7), ("goteborg-forskola", 1, 2)),
    partners=("kooperativa-forskolor-vast", "majorna-kvartersforening"),
    observers=(1, 2),
    citizen_profiles=(
        (
            6,
            (
                ("blaklockan-parent-cooperative", SERVICE_USER),
                ("blaklockan-parent-cooperative", VOLUNTEER),
            ),
        ),
        (3, (("blaklockan-parent-cooperative", SERVICE_USER),)),
        (1, (("majorna-kvartersforening", VOLUNTEER),)),
    ),
    citizen_channels=((IMPORT, 5), (INVITATION, 3), (SELF, 1)),
    service_user_max_days=1800,
)


WATCH = CaseDef(
    slug="buurtpreventie-lombok",
    title="Lombok neighbourhood watch (buurtpreventie)",
    summary=(
        "Residents of Lombok walk evening rounds in pairs, report what they see and meet the "
        "neighbourhood police officer every month. Police, municipality and residents set the "
        "priorities together in a shared space that neither side owns."
    ),
    description="""\
Lombok is a dense, mixed neighbourhood west of Utrecht's centre, with a busy shopping street, \
many students and families who have lived there for generations. After a run of bicycle thefts, \
break-ins in sheds and harassment in the evenings, the residents' association and the \
neighbourhood police officer started a watch scheme together.

Volunteers walk rounds in pairs three evenings a week, in recognisable jackets, and report broken \
lights, unlocked doors, dumped waste and situations that worry them. They do not intervene: \
emergencies go to 112, everything else to the neighbourhood police officer and the municipality's \
district office, and the platform records what was reported and what was done about it. \
Woonstichting Kanaalzicht, the housing corporation that owns many of the flats, repairs the \
entrances and lighting the rounds flag; Stichting Samen Veilig Utrecht trains volunteers in \
observation, de-escalation and privacy.

The initiative lives in a neutral shared space rather than on a police or municipal website, so \
that residents who do not want to "work for the police" still feel it is theirs. Priorities for \
the rounds are set every quarter by residents, police and the district office together, and the \
rules on what may be reported about people (never their appearance alone) were written with the \
volunteers.

Co-delivery is under way. The co-assessment will compare reported incidents, residents' feeling \
of safety in the municipal survey, and the make-up of the volunteer group with that of the \
neighbourhood.""",
    level="co_production",
    status="active",
    area="Utrecht, Lombok",
    host=None,
    language="nl",
    timezone="Europe/Amsterdam",
    neighbourhoods=tuple(
        f"Utrecht, {name}"
        for name in ("Lombok", "Oog in Al", "Nieuw Engeland", "Damstraatbuurt", "Leidseweg")
    ),
    service=ServiceDef(
        name="Community policing in Utrecht West",
        sector="community_safety",
        funder="politie-utrecht-west",
        description=(
            "Neighbourhood police officers, patrols and follow-up of residents' reports in the "
            "West district of Utrecht."
        ),
    ),
    organisations=(
        OrgDef(
            "politie-utrecht-west",
            "Politie Midden-Nederland, basisteam Utrecht-West",
            (PUBLIC,),
            "Utrecht",
            "The police team for the western districts of Utrecht, including three "
            "neighbourhood police officers (wijkagenten) for Lombok and its surroundings.",
        ),
        OrgDef(
            "gemeente-utrecht-wijkbureau-west",
            "Gemeente Utrecht, Wijkbureau West",
            (PUBLIC,),
            "Utrecht",
            "The municipality's district office for West: street lighting, waste, public space "
            "and neighbourhood budgets.",
        ),
        OrgDef(
            "bewonersvereniging-lombok",
            "Bewonersvereniging Lombok",
            (COMMUNITY,),
            "Utrecht, Lombok",
            "The residents' association of Lombok, with about 600 member households.",
        ),
        OrgDef(
            "stichting-samen-veilig-utrecht",
            "Stichting Samen Veilig Utrecht",
            (THIRD,),
            "Utrecht",
            "A foundation that trains residents for neighbourhood watch and neighbour mediation "
            "across the city.",
        ),
        OrgDef(
            "woonstichting-kanaalzicht",
            "Woonstichting Kanaalzicht",
            (THIRD, PRIVATE),
            "Utrecht",
            "A housing corporation: a private foundation with a public task, letting about "
            "4,000 social-rent homes in the west of Utrecht.",
        ),
    ),
    phases={
        COMMISSION: PhaseDef(
            -300,
            -261,
            DONE,
            "Residents, police and the district office agreed what the scheme is for, and what "
            "it is not for.",
        ),
        DESIGN: PhaseDef(
            -260,
            -201,
            DONE,
            "Routes, reporting rules and the volunteers' training were written together; the "
            "privacy rules were checked by the municipality's data protection officer.",
        ),
        DELIVER: PhaseDef(
            -200,
            165,
            OPEN,
            "Rounds three evenings a week; a monthly meeting with the neighbourhood police "
            "officer; quarterly priorities.",
        ),
        ASSESS: PhaseDef(
            166,
            200,
            PLANNED,
            "Incidents, the municipal safety survey and the make-up of the volunteer group, "
            "reviewed at a public meeting.",
        ),
    },
    size=(55, 80),
    co_leads=(
        CoLeadDef(
            "politie-utrecht-west",
            (("politie-utrecht-west", STAFF),),
            "Neighbourhood police officer (wijkagent) for Lombok since 2019.",
        ),
        CoLeadDef(
            "bewonersvereniging-lombok",
            (("bewonersvereniging-lombok", MANAGER),),
            "Chair of the residents' association; teacher at the primary school on the "
            "Kanaalstraat.",
        ),
    ),
    professionals=(
        ("politie-utrecht-west", 2, 4),
        ("gemeente-utrecht-wijkbureau-west", 2, 3),
        ("woonstichting-kanaalzicht", 1, 2),
        ("stichting-samen-veilig-utrecht", 1, 2),
    ),
    partners=(
        "gemeente-utrecht-wijkbureau-west",
        "woonstichting-kanaalzicht",
        "stichting-samen-veilig-utrecht",
    ),
    observers=(1, 3),
    citizen_profiles=(
        (5, (("bewonersvereniging-lombok", VOLUNTEER),)),
        (2, (("woonstichting-kanaalzicht", SERVICE_USER),)),
        (
            1,
            (
                ("woonstichting-kanaalzicht", SERVICE_USER),
                ("bewonersvereniging-lombok", VOLUNTEER),
            ),
        ),
        (3, ()),
    ),
    citizen_channels=((SELF, 4), (INVITATION, 3), (ADMIN, 1)),
)


BUDGET = CaseDef(
    slug="toulouse-participatory-budget",
    title="Toulouse participatory budget",
    summary=(
        "Toulouse sets aside part of its investment budget for projects proposed and chosen by "
        "residents. The city, neighbourhood committees and social centres are agreeing the "
        "rules together: the share per district, who may vote, and how to reach people who "
        "never take part."
    ),
    description="""\
The City of Toulouse has committed eight million euros of its investment budget over two years \
to projects proposed, developed and chosen by residents. Unlike earlier consultations, the city \
council has undertaken to carry out the projects that win the vote, within the legal and \
technical limits checked by its services.

This edition starts with co-commissioning: before any proposal is made, residents, neighbourhood \
committees, social centres and city officers decide together how the budget will work. On the \
table: how much goes to each district and how much is kept for city-wide projects; whether \
people aged 16 and over may vote; whether the vote uses approval ballots counted by the greedy \
rule or the method of equal shares; and how the rules make sure that the districts with the \
lowest incomes get their fair part.

A citizens' committee drawn by lot from volunteers, with as many women as men and places reserved \
for residents of the priority districts, will review the rulebook before the city council adopts \
it. The social and cultural centre of Empalot and the association Partage et Territoires run \
paper forms and drop-in sessions so that people without internet access, or without French as a \
first language, can propose and vote.

Proposals open once the rules are adopted. The city's services then assess feasibility and cost \
with the authors during co-design, the winning projects are built during co-delivery, and \
residents follow their progress and assess the results.""",
    level="co_governance",
    status="active",
    area="Toulouse",
    host="mairie-toulouse-participation",
    language="fr",
    timezone="Europe/Paris",
    neighbourhoods=(
        "Toulouse, Saint-Cyprien",
        "Toulouse, Les Minimes",
        "Toulouse, Bagatelle",
        "Toulouse, Empalot",
        "Toulouse, Rangueil",
        "Toulouse, Borderouge",
        "Toulouse, Croix-Daurade",
        "Toulouse, Capitole",
        "Toulouse, Saint-Agne",
        "Toulouse, Lardenne",
        "Toulouse, Le Mirail",
        "Toulouse, Purpan",
    ),
    service=ServiceDef(
        name="City of Toulouse investment budget",
        sector="city_budget",
        funder="mairie-toulouse-participation",
        description=(
            "The share of the city's capital spending on public space, parks, sports and "
            "community facilities that residents allocate through the participatory budget."
        ),
    ),
    organisations=(
        OrgDef(
            "mairie-toulouse-participation",
            "Mairie de Toulouse, Direction de la participation citoyenne",
            (PUBLIC,),
            "Toulouse",
            "The city department that runs public consultations, the neighbourhood committees' "
            "secretariat and the participatory budget.",
        ),
        OrgDef(
            "toulouse-metropole-espace-public",
            "Toulouse Métropole, Pôle espace public",
            (PUBLIC,),
            "Toulouse Métropole",
            "The metropolitan authority's public-space services, which cost and build most of "
            "the projects residents propose.",
        ),
        OrgDef(
            "comite-quartier-saint-cyprien",
            "Comité de quartier Saint-Cyprien",
            (COMMUNITY,),
            "Toulouse, Saint-Cyprien",
            "A neighbourhood committee of volunteers on the left bank of the Garonne.",
        ),
        OrgDef(
            "comite-quartier-bagatelle",
            "Comité de quartier Bagatelle-Faourette",
            (COMMUNITY,),
            "Toulouse, Bagatelle",
            "A neighbourhood committee in one of the city's priority districts.",
        ),
        OrgDef(
            "centre-social-empalot",
            "Centre social et culturel d'Empalot",
            (THIRD, PUBLIC),
            "Toulouse, Empalot",
            "A social centre run by an association under an agreement with the city and the "
            "family allowance fund, which pay most of its budget and sit on its board.",
        ),
        OrgDef(
            "partage-et-territoires",
            "Association Partage et Territoires",
            (THIRD,),
            "Toulouse",
            "An association that helps people with little access to the internet or to French "
            "take part in local democracy.",
        ),
    ),
    phases={
        COMMISSION: PhaseDef(
            -75,
            45,
            OPEN,
            "Open workshops in every district and an online debate on the rulebook; a citizens' "
            "committee drawn by lot reviews it before the city council votes.",
        ),
        DESIGN: PhaseDef(
            46,
            135,
            PLANNED,
            "Residents submit proposals; the city's services check feasibility and cost them "
            "with their authors.",
        ),
        DELIVER: PhaseDef(
            136,
            500,
            PLANNED,
            "Vote, then construction of the winning projects, with residents following each site.",
        ),
        ASSESS: PhaseDef(
            501,
            560,
            PLANNED,
            "Who proposed, who voted and who benefited, district by district; residents' "
            "assessment of the finished projects.",
        ),
    },
    size=(180, 200),
    co_leads=(
        CoLeadDef(
            "mairie-toulouse-participation",
            (("mairie-toulouse-participation", MANAGER),),
            "Head of the participatory budget team at the City of Toulouse.",
        ),
        CoLeadDef(
            "comite-quartier-saint-cyprien",
            (("comite-quartier-saint-cyprien", MANAGER),),
            "President of the Saint-Cyprien neighbourhood committee; retired civil engineer.",
        ),
        CoLeadDef(
            "centre-social-empalot",
            (("centre-social-empalot", MANAGER),),
            "Director of the social and cultural centre of Empalot.",
        ),
    ),
    professionals=(
        ("mairie-toulouse-participation", 5, 8),
        ("toulouse-metropole-espace-public", 2, 4),
        ("centre-social-empalot", 2, 3),
    ),
    partners=(
        "toulouse-metropole-espace-public",
        "comite-quartier-bagatelle",
        "partage-et-territoires",
    ),
    observers=(3, 6),
    citizen_profiles=(
        (12, ()),
        (2, (("comite-quartier-saint-cyprien", VOLUNTEER),)),
        (2, (("comite-quartier-bagatelle", VOLUNTEER),)),
        (2, (("centre-social-empalot", SERVICE_USER),)),
        (1, (("partage-et-territoires", VOLUNTEER),)),
    ),
    citizen_channels=((SELF, 8), (INVITATION, 2), (ADMIN, 1)),
)


CASES: tuple[CaseDef, ...] = (FIRE, HOUSING, ALLEYWAYS, CHILDCARE, WATCH, BUDGET)
