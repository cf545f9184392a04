"""Deterministic, realistic demo data; bulk inserts so 10,000 participants take seconds.

Everything but the timestamps is a pure function of ``seed``: keys, names,
statuses, answers. Timestamps are placed relative to the day of seeding so the
dashboard shows recent activity.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import transaction

from . import seed_data as d
from .models import (
    CHOICE_ANSWER_TYPES,
    IDV_ANSWER_TYPES,
    LANGUAGE_CODES,
    Answer,
    AnswerOption,
    ApiKey,
    Category,
    Comment,
    CriterionScore,
    Department,
    IdvCountry,
    IdvSession,
    Industry,
    Interview,
    InterviewTemplate,
    Language,
    MessageTemplate,
    Organisation,
    Participant,
    ParticipantStatus,
    Question,
    Role,
    SandboxUser,
    Score,
    ScorecardCriterion,
    Transcript,
    UserRelation,
)

DEMO_ORGANISATION = "Northwind Talent"
OTHER_ORGANISATION = "Southside Recruiting"
STATUS_WEIGHTS = (
    (ParticipantStatus.INVITED, 22),
    (ParticipantStatus.STARTED, 10),
    (ParticipantStatus.COMPLETED, 36),
    (ParticipantStatus.ACCEPTED, 16),
    (ParticipantStatus.REJECTED, 16),
)
ANSWERED = (ParticipantStatus.COMPLETED, ParticipantStatus.ACCEPTED, ParticipantStatus.REJECTED)
BATCH = 2000


@dataclass
class SeedKeys:
    """The API keys a person needs, labelled as ``serve`` prints them."""

    keys: dict[str, str] = field(default_factory=dict)
    agency_keys: dict[str, str] = field(default_factory=dict)
    demo_owner_key: str = ""  # the demo (parent) organisation's owner: what most uses want


class _Keys:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"


def is_seeded() -> bool:
    return Organisation.objects.filter(name=DEMO_ORGANISATION, parent=None).exists()


def seed(*, participants: int = 180, seed: int = 42, owner_api_key: str | None = None) -> SeedKeys:
    """Seed once; later calls top participants up to ``participants`` and return the keys."""
    anchor = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    with transaction.atomic():
        if not is_seeded():
            _seed_reference(random.Random(f"{seed}:reference"))
            _seed_organisations(seed, anchor)
        parent = Organisation.objects.get(name=DEMO_ORGANISATION, parent=None)
        missing = participants - parent.participants.count()
        if missing > 0:
            start = parent.participants.count()
            _seed_participants(parent, start, missing, seed, anchor)
        if owner_api_key:
            owner = parent.users.get(role=Role.OWNER)
            ApiKey.objects.filter(key=owner_api_key).exclude(user=owner).delete()
            owner.api_keys.exclude(key=owner_api_key).delete()
            ApiKey.objects.get_or_create(key=owner_api_key, user=owner)
    return keys()


def keys() -> SeedKeys:
    result = SeedKeys()
    parent = Organisation.objects.get(name=DEMO_ORGANISATION, parent=None)
    for role in (Role.OWNER, Role.ADMIN, Role.STANDARD):
        user = parent.users.filter(role=role).order_by("id").first()
        api_key = user.api_keys.order_by("id").first() if user else None
        if api_key:
            result.keys[f"{parent.name} {role} ({user.email})"] = api_key.key
            if role == Role.OWNER:
                result.demo_owner_key = api_key.key
    other = Organisation.objects.filter(name=OTHER_ORGANISATION, parent=None).first()
    if other:
        user = other.users.filter(role=Role.OWNER).first()
        if user and user.api_keys.exists():
            result.keys[f"{other.name} owner ({user.email})"] = user.api_keys.first().key
    for relation in (
        UserRelation.objects.filter(organisation__parent=parent)
        .select_related("organisation", "user")
        .order_by("organisation_id", "id")
    ):
        label = f"{relation.organisation.name} as {relation.user.email} ({relation.role})"
        result.agency_keys[label] = relation.key
    return result


def _seed_reference(rng: random.Random) -> None:
    k = _Keys(rng)
    if not Language.objects.exists():
        Language.objects.bulk_create(Language(iso_code=code) for code in LANGUAGE_CODES)
    if not IdvCountry.objects.exists():
        IdvCountry.objects.bulk_create(
            IdvCountry(iso_3=iso, name=name) for iso, name in d.IDV_COUNTRIES
        )
    if not Industry.objects.exists():
        Industry.objects.bulk_create(Industry(key=k(), name=name) for name in d.INDUSTRIES)
    if not Category.objects.exists():
        Category.objects.bulk_create(Category(key=k(), name=name) for name in d.CATEGORIES)
    if not MessageTemplate.objects.filter(organisation=None).exists():
        created = datetime(2022, 1, 1, tzinfo=UTC)
        for title, kind, trigger, content in (
            ("Participant Invitation", "email", "invite",
             "Hello {candidate_full_name}! Thanks for your interest in the {interview_name}, "
             "{company_name} position. I'd like to get to know you better with a short one-way "
             "video interview."),
            ("Participant Invitation", "sms", "invite",
             "Hi {candidate_first_name}, {company_name} invites you to a video interview for "
             "{interview_name}."),
            ("Interview Reminder", "email", "reminder",
             "Hi {candidate_first_name}, a reminder that your interview for {interview_name} "
             "closes on {deadline_date}."),
            ("Interview Reminder", "sms", "reminder",
             "Reminder: your {interview_name} interview closes on {deadline_date}."),
            ("Interview Completed", "email", "success_email",
             "Thank you {candidate_full_name}, we have received your interview for "
             "{interview_name}."),
        ):  # fmt: skip
            MessageTemplate.objects.create(
                key=k(), organisation=None, title=title, type=kind, trigger=trigger,
                content=content, system_default=True, created_at=created,
            )  # fmt: skip
    if not InterviewTemplate.objects.exists():
        categories = {c.name: c for c in Category.objects.all()}
        for number, (title, category, featured) in enumerate(d.INTERVIEW_TEMPLATES):
            template = InterviewTemplate.objects.create(
                key=k(),
                title=title,
                category=categories[category],
                is_featured=featured,
                description=f"This template helps recruiters evaluate candidates for {title}.",
                template_description=f"We're excited to learn more about you for the {title} role.",
                author_name="Faith",
            )
            source = d.INTERVIEWS[number % len(d.INTERVIEWS)][3]
            _create_questions(k, source, template=template)


def _create_questions(k: _Keys, source: tuple, **owner: object) -> list[Question]:
    questions = []
    for order, (answer_type, text, options) in enumerate(source, start=1):
        question = Question.objects.create(
            key=k(),
            text=text,
            order=order,
            answer_type=answer_type,
            max_duration=120 if answer_type in ("video", "audio") else None,
            max_retakes=3 if answer_type in ("video", "audio") else None,
            thinking_time=30 if answer_type in ("video", "audio", "text") else None,
            max_characters=1000 if answer_type == "text" else None,
            max_words=200 if answer_type == "text" else None,
            idv_country_of_employment_iso_code="GBR" if answer_type in IDV_ANSWER_TYPES else None,
            idv_max_checks=100 if answer_type in IDV_ANSWER_TYPES else None,
            **owner,
        )
        AnswerOption.objects.bulk_create(
            AnswerOption(key=k(), question=question, text=t, order=n, is_correct=c)
            for n, (t, c) in enumerate(options, start=1)
        )
        questions.append(question)
    return questions


def _user(k: _Keys, org: Organisation, name: str, role: str, created: datetime) -> SandboxUser:
    domain = org.name.lower().replace(" ", "") + ".example"
    return SandboxUser.objects.create(
        key=k(),
        organisation=org,
        email=f"{name.lower().replace(' ', '.')}@{domain}",
        full_name=name,
        phone="+4477009" + str(int(k()[:8], 16) % 100000).zfill(5),
        role=role,
        created_at=created,
    )


def _seed_organisations(seed: int, anchor: datetime) -> None:
    rng = random.Random(f"{seed}:organisations")
    k = _Keys(rng)
    created = anchor - timedelta(days=400)
    parent = Organisation.objects.create(
        key=k(), name=DEMO_ORGANISATION, is_parent=True, created_at=created
    )
    owner = _user(k, parent, "Olivia Grant", Role.OWNER, created)
    admin = _user(k, parent, "Marcus Chen", Role.ADMIN, created)
    standard = _user(k, parent, "Priya Shah", Role.STANDARD, created)
    others = [
        _user(k, parent, "Tom Fletcher", Role.STANDARD, created),
        _user(k, parent, "Hannah Okafor", Role.STANDARD, created),
    ]
    for user in (owner, admin, standard):
        ApiKey.objects.create(key=k(), user=user)
    industries = list(Industry.objects.order_by("id"))
    departments = {}
    for number, name in enumerate(
        ("Engineering", "Sales", "Customer Support", "Operations", "Graduate Programme")
    ):
        department = Department.objects.create(
            key=k(), organisation=parent, name=name, owner=admin if number else owner,
            industry=industries[number % len(industries)], location="London",
            website="https://northwind.example", primary_colour="#1d3557",
            secondary_colour="#e63946", is_default=number == 0,
            is_global=name == "Graduate Programme", created_at=created + timedelta(days=number),
        )  # fmt: skip
        departments[name] = department
    # The standard user works in Engineering only (and sees the global Graduate Programme).
    departments["Engineering"].members.add(standard, others[0])
    departments["Sales"].members.add(others[1])
    for department in departments.values():
        department.members.add(admin)
    MessageTemplate.objects.create(
        key=k(), organisation=parent, title="Northwind invitation", type="email",
        trigger="invite", content="Hello {candidate_first_name}, thanks for applying to "
        "{interview_name} at {organisation_name}.", created_at=created,
    )  # fmt: skip
    for number, (title, department_name, salary, questions) in enumerate(d.INTERVIEWS):
        reviewers = [admin, standard] if department_name == "Engineering" else [admin]
        _interview(k, parent, departments[department_name], owner if number % 2 else admin,
                   title, salary, questions, created + timedelta(days=30 + number * 20),
                   reviewers=reviewers)  # fmt: skip

    for number, (child_name, people) in enumerate(
        (
            ("Harbour Logistics", ("Sean Murphy", "Aoife Byrne")),
            ("Bluebell Care Homes", ("Grace Adeyemi", "Daniel Price")),
        )
    ):
        _child(k, parent, child_name, people, created + timedelta(days=60 + number), seed + number)

    other = Organisation.objects.create(
        key=k(), name=OTHER_ORGANISATION, is_parent=True, created_at=created
    )
    other_owner = _user(k, other, "Rachel Moore", Role.OWNER, created)
    ApiKey.objects.create(key=k(), user=other_owner)
    _child(k, other, "Southside Client Co", ("Liam Walsh", "Nora Kelly"), created, seed + 7)


def _interview(
    k: _Keys,
    org: Organisation,
    department: Department,
    owner: SandboxUser,
    title: str,
    salary: str,
    questions: tuple,
    created: datetime,
    *,
    reviewers: list[SandboxUser],
) -> Interview:
    defaults = {
        t.trigger + "_" + t.type: t for t in MessageTemplate.objects.filter(organisation=None)
    }
    interview = Interview.objects.create(
        key=k(), organisation=org, department=department, owner=owner, title=title,
        default_language="en", salary=salary,
        description=f"<p>Join {org.name} as a {title}.</p>", invite_code=k()[:6],
        invitation_email=defaults.get("invite_email"), invitation_sms=defaults.get("invite_sms"),
        reminder_email=defaults.get("reminder_email"), reminder_sms=defaults.get("reminder_sms"),
        interview_completed_email=defaults.get("success_email_email"),
        redirect_url=None, deadline=created + timedelta(days=120), created_at=created,
    )  # fmt: skip
    interview.reviewers.set(reviewers)
    interview.reviewers_to_notify.set(reviewers[:1])
    _create_questions(k, questions, interview=interview)
    for order, (text, description) in enumerate(d.CRITERIA, start=1):
        ScorecardCriterion.objects.create(
            key=k(), interview=interview, text=text, description=description, order=order,
            is_optional=order == 3,
        )  # fmt: skip
    return interview


def _child(
    k: _Keys,
    parent: Organisation,
    name: str,
    people: tuple[str, str],
    created: datetime,
    seed: int,
) -> Organisation:
    child = Organisation.objects.create(key=k(), name=name, parent=parent, created_at=created)
    owner = _user(k, child, people[0], Role.OWNER, created)
    standard = _user(k, child, people[1], Role.STANDARD, created)
    department = Department.objects.create(
        key=k(), organisation=child, name="Recruitment", owner=owner, is_default=True,
        location="Manchester", created_at=created,
    )  # fmt: skip
    department.members.add(owner, standard)
    UserRelation.objects.create(key=k(), organisation=child, user=owner, role=Role.ADMIN)
    UserRelation.objects.create(key=k(), organisation=child, user=standard, role=Role.STANDARD)
    source = d.INTERVIEWS[seed % len(d.INTERVIEWS)]
    _interview(k, child, department, owner, source[0], source[2], source[3],
               created + timedelta(days=5), reviewers=[owner])  # fmt: skip
    _seed_participants(child, 0, 24, seed, created + timedelta(days=10))
    return child


def _status(rng: random.Random) -> str:
    return rng.choices([s for s, _ in STATUS_WEIGHTS], weights=[w for _, w in STATUS_WEIGHTS])[0]


def _seed_participants(org: Organisation, start: int, count: int, seed: int, anchor: datetime):
    rng = random.Random(f"{seed}:{org.key}:participants:{start}")
    k = _Keys(rng)
    interviews = list(
        Interview.objects.filter(organisation=org).prefetch_related(
            "questions__options", "criteria"
        )
    )
    reviewers = list(org.users.order_by("id"))
    now = datetime.now(UTC)
    for batch_start in range(0, count, BATCH):
        size = min(BATCH, count - batch_start)
        _batch(k, rng, org, interviews, reviewers, start + batch_start, size, anchor, now)


def _batch(k, rng, org, interviews, reviewers, offset, size, anchor, now) -> None:
    participants, plans = [], []
    for number in range(offset, offset + size):
        interview = interviews[number % len(interviews)]
        first, last = rng.choice(d.FIRST_NAMES), rng.choice(d.LAST_NAMES)
        city, country, code = rng.choice(d.CITIES)
        status = _status(rng)
        created = min(anchor - timedelta(minutes=rng.randint(30, 60 * 24 * 90)), now)
        answered = status in ANSWERED
        changed = created + timedelta(days=rng.randint(1, 5)) if status in ANSWERED[1:] else None
        ascii_last = last.lower().replace(" ", "").translate(str.maketrans("íéáóü", "ieaou"))
        ascii_first = first.lower().replace("é", "e")
        slots = sorted({(rng.randint(2, 9), rng.choice((0, 2, 4, 6))) for _ in range(3)})
        participant = Participant(
            key=k(), organisation=org, interview=interview, name=f"{first} {last}",
            email=f"{ascii_first}.{ascii_last}{number}@{rng.choice(d.EMAIL_DOMAINS)}",
            phone=f"+447{rng.randint(100000000, 999999999)}", status=status,
            status_changed_by=rng.choice(reviewers).email if changed else None,
            status_changed_at=min(changed, now) if changed else None,
            send_notifications=rng.random() < 0.9,
            custom_id=f"can_{100000 + number}" if rng.random() < 0.7 else None,
            summary=rng.choice(d.SUMMARIES) if answered else None,
            city=city if status != ParticipantStatus.INVITED else "",
            country_name=country if status != ParticipantStatus.INVITED else "",
            country_code=code if status != ParticipantStatus.INVITED else "",
            invite_code=k()[:6],
            availability=[
                (anchor + timedelta(days=day, hours=hour)).isoformat().replace("+00:00", "Z")
                for day, hour in slots
            ] if answered and interview.show_availability_calendar else [],
            created_at=created,
            updated_at=min(changed or created + timedelta(hours=rng.randint(1, 48)), now),
        )  # fmt: skip
        participants.append(participant)
        plans.append((participant, code))
    Participant.objects.bulk_create(participants)

    answers, transcripts, selections, sessions = [], [], [], []
    scores, criterion_scores, comments = [], [], []
    for participant, code in plans:
        if participant.status == ParticipantStatus.INVITED:
            continue
        questions = list(participant.interview.questions.all())
        if participant.status == ParticipantStatus.STARTED:
            questions = questions[: max(1, len(questions) // 2)]
        language = d.COUNTRY_LANGUAGE.get(code, "en")
        for question in questions:
            created = participant.created_at + timedelta(minutes=rng.randint(5, 600))
            answer = Answer(
                key=k(), participant=participant, question=question,
                spent_time=rng.randint(20, 180), created_at=created, updated_at=created,
                is_finished=participant.status != ParticipantStatus.STARTED or rng.random() < 0.5,
            )  # fmt: skip
            kind = question.answer_type
            if kind == "video":
                answer.media_extension = "mp4" if rng.random() < 0.8 else "webm"
            elif kind == "audio":
                answer.media_extension = "mp3" if rng.random() < 0.8 else "ogg"
            elif kind == "file":
                answer.media_extension = "pdf"
            elif kind == "text":
                answer.text = rng.choice(d.TEXT_ANSWERS)
            elif kind in IDV_ANSWER_TYPES:
                share = "-".join("".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", k=3))
                                 for _ in range(3))  # fmt: skip
                answer.additional_info = {"share_code": share} if "rtw" in kind else {}
                failed = rng.random() < 0.3
                sessions.append(IdvSession(
                    participant=participant, check_type=kind, status="completed",
                    share_code=share if "rtw" in kind else None, passed=not failed,
                    failed_checks=rng.sample(
                        ["hologram_movement", "ai_face_match", "document_in_date",
                         "liveness_auth", "mrz_validation"], k=rng.randint(1, 2)
                    ) if failed else [],
                    document_type=rng.choice(("PASSPORT", "DRIVING_LICENCE")),
                    document_number=f"{rng.randint(100000000, 999999999)}",
                    issuing_country="GBR",
                    date_of_birth=date(
                        rng.randint(1965, 2004), rng.randint(1, 12), rng.randint(1, 28)
                    ),
                    created_at=created,
                ))  # fmt: skip
            answers.append(answer)
            if kind in ("video", "audio"):
                transcripts.append((answer, language))
            if kind in CHOICE_ANSWER_TYPES:
                options = list(question.options.all())
                picked = (rng.sample(options, k=rng.randint(1, len(options)))
                          if kind == "checkboxes" else [rng.choice(options)])  # fmt: skip
                selections.append((answer, picked))
        if participant.status in ANSWERED and rng.random() < 0.65:
            criteria = list(participant.interview.criteria.all())
            for scorer in rng.sample(reviewers, k=min(len(reviewers), rng.randint(1, 2))):
                values = [Decimal(rng.randint(2, 5)) for _ in criteria]
                score = Score(
                    key=k(), participant=participant, scored_by=scorer,
                    general_score=(sum(values) / len(values)).quantize(Decimal("0.01")),
                    scored_at=min(participant.created_at + timedelta(days=rng.randint(1, 4)), now),
                )  # fmt: skip
                scores.append(score)
                criterion_scores.extend(
                    CriterionScore(key=k(), score=score, criterion=c, value=v)
                    for c, v in zip(criteria, values, strict=True)
                )
        if participant.status in ANSWERED and rng.random() < 0.45:
            for _ in range(rng.randint(1, 2)):
                comments.append(Comment(
                    key=k(), participant=participant, author=rng.choice(reviewers),
                    text=rng.choice(d.COMMENTS),
                    created_at=min(
                        participant.created_at + timedelta(hours=rng.randint(2, 96)), now
                    ),
                ))  # fmt: skip
    Answer.objects.bulk_create(answers, batch_size=BATCH)
    Transcript.objects.bulk_create(
        (
            Transcript(
                answer=answer,
                text=" ".join(rng.sample(d.TRANSCRIPTS[lang], k=min(2, len(d.TRANSCRIPTS[lang])))),
                language=lang,
                confidence=round(rng.uniform(0.78, 0.98), 2),
            )
            for answer, lang in transcripts
        ),
        batch_size=BATCH,
    )
    through = Answer.selected_options.through
    through.objects.bulk_create(
        (through(answer_id=a.pk, answeroption_id=o.pk) for a, picked in selections for o in picked),
        batch_size=BATCH,
    )
    IdvSession.objects.bulk_create(sessions, batch_size=BATCH)
    Score.objects.bulk_create(scores, batch_size=BATCH)
    CriterionScore.objects.bulk_create(criterion_scores, batch_size=BATCH)
    Comment.objects.bulk_create(comments, batch_size=BATCH)
