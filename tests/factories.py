"""factory-boy factories for every model; they flush through the Flask-SQLAlchemy session."""

import itertools
from datetime import UTC, date, datetime

import factory
from factory.alchemy import SQLAlchemyModelFactory

from escalation.models import (
    Closure,
    PublicHoliday,
    SchoolHolidayPeriod,
    SlaBreach,
    SlaClock,
    SlaPause,
    SlaPolicy,
    TierCalendar,
    TierStint,
)
from helpdesk.audit.models import AuditEntry
from helpdesk.incidents.models import MajorIncident
from helpdesk.notifications.models import Notification, NotificationPreference
from helpdesk.organisation.models import Academie, Basin, School
from helpdesk.organisation.uai import check_letter
from helpdesk.platform.extensions import db
from helpdesk.platform.idempotency import IdempotentRequest
from helpdesk.platform.refcache import CacheVersion, new_token
from helpdesk.reports.models import RollupState, TicketRollup
from helpdesk.routing.models import Keyword
from helpdesk.satisfaction.models import Survey
from helpdesk.tickets.models import Attachment, Message, Ticket, TicketEvent
from helpdesk.users.models import ApiToken, ExternalIdentity, Role, User, UserRole
from helpdesk.users.passwords import hash_password
from kb.diagnostics.models import DiagnosticRun, DiagnosticTree, DiagnosticTreeVersion
from kb.indexing import record_change as kb_record_change
from kb.models import (
    Article,
    ArticleFact,
    ArticleFeedback,
    ArticleRevision,
    ArticleVote,
    Deflection,
    GlossaryRevision,
    GlossaryTerm,
    KbChange,
)

TEST_PASSWORD = "correct-horse-42"
_PASSWORD_HASH = hash_password(TEST_PASSWORD)  # argon2 is slow on purpose: hash once
_uai_numbers = itertools.count(310100)


def next_uai() -> str:
    digits = f"{next(_uai_numbers):07d}"
    return digits + check_letter(digits)


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class AcademieFactory(Base):
    class Meta:
        model = Academie

    code = factory.Sequence(lambda n: f"academie-{n}")
    name = "Académie de Toulouse"


class BasinFactory(Base):
    class Meta:
        model = Basin

    academie = factory.SubFactory(AcademieFactory)
    name = factory.Sequence(lambda n: f"Bassin {n}")
    department = "031"


class SchoolFactory(Base):
    class Meta:
        model = School

    uai = factory.LazyFunction(next_uai)
    name = factory.Sequence(lambda n: f"Collège Numéro {n}")
    type = "college"
    town = "Toulouse"
    basin = factory.SubFactory(BasinFactory)


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@ac-toulouse.fr")
    full_name = factory.Sequence(lambda n: f"Personne {n}")
    password_hash = _PASSWORD_HASH
    profile = "enseignant"
    school = factory.SubFactory(SchoolFactory)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.set_roles(extracted or [Role.REQUESTER])
        if create:
            db.session.flush()

    @factory.post_generation
    def basins(self, create, extracted, **kwargs):
        if extracted:
            self.basins = list(extracted)
            if create:
                db.session.flush()


class ApiTokenFactory(Base):
    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)
    name = "test"
    token_hash = factory.Sequence(lambda n: f"{n:064d}")


class ExternalIdentityFactory(Base):
    class Meta:
        model = ExternalIdentity

    user = factory.SubFactory(UserFactory)
    provider = "academie"
    subject = factory.Sequence(lambda n: f"person{n}")


class KeywordFactory(Base):
    class Meta:
        model = Keyword

    label = factory.Sequence(lambda n: f"mot-clé {n}")
    slug = factory.Sequence(lambda n: f"mot-cle-{n}")
    service = "messagerie"
    tier = "n1"
    ticket_type = "incident"
    priority = "normal"
    synonyms = factory.LazyFunction(list)
    fields = factory.LazyFunction(list)


class TicketFactory(Base):
    class Meta:
        model = Ticket

    keyword = factory.SubFactory(KeywordFactory)
    requester = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("requester")
    school = factory.SelfAttribute("requester.school")
    basin_id = factory.LazyAttribute(lambda t: t.school.basin_id)
    tier = factory.LazyAttribute(lambda t: t.keyword.tier)
    entry_tier = factory.SelfAttribute("tier")
    service = factory.LazyAttribute(lambda t: t.keyword.service)
    type = "incident"
    status = "new"
    subject = factory.Sequence(lambda n: f"Problème numéro {n}")
    description = "La messagerie ne s'ouvre plus depuis ce matin."
    extra_fields = factory.LazyFunction(dict)

    @factory.post_generation
    def reference(self, create, extracted, **kwargs):
        if create and not self.reference:
            db.session.flush()
            self.reference = extracted or f"ENT-{self.created_at.year}-{self.id:06d}"
            db.session.flush()


class MessageFactory(Base):
    class Meta:
        model = Message

    ticket = factory.SubFactory(TicketFactory)
    author = factory.SelfAttribute("ticket.requester")
    body = "Merci de votre aide."
    kind = "reply"
    audience = "public"


class AttachmentFactory(Base):
    class Meta:
        model = Attachment

    ticket = factory.SubFactory(TicketFactory)
    uploader_id = factory.LazyAttribute(lambda a: a.ticket.requester_id)
    original_name = "capture.png"
    storage_name = factory.Sequence(lambda n: f"{n:032x}")
    content_type = "image/png"
    size = 1234


class TicketEventFactory(Base):
    class Meta:
        model = TicketEvent

    ticket = factory.SubFactory(TicketFactory)
    kind = "created"
    audience = "public"


class IdempotentRequestFactory(Base):
    class Meta:
        model = IdempotentRequest

    user_id = factory.LazyFunction(lambda: UserFactory().id)
    key = factory.Sequence(lambda n: f"key-{n}")
    fingerprint = "0" * 64
    status_code = 201
    response = factory.LazyFunction(dict)
    created_at = datetime(2026, 11, 16, 9, tzinfo=UTC)


class ArticleFactory(Base):
    """A published FAQ article; like every KB change it is appended to the kb_change sequence."""

    class Meta:
        model = Article

    slug = factory.Sequence(lambda n: f"article-{n}")
    title = factory.Sequence(lambda n: f"Question numéro {n}")
    body_md = "Une réponse claire."
    service = "messagerie"
    audience = "public"
    tags = factory.LazyFunction(list)
    keywords = factory.LazyFunction(list)
    glossary_terms = factory.LazyFunction(list)
    status = "published"

    @factory.post_generation
    def record_change(self, create, extracted, **kwargs):
        if create:
            db.session.flush()
            self.change_seq = kb_record_change(db.session, "faq", self.id)


class GlossaryTermFactory(Base):
    class Meta:
        model = GlossaryTerm

    term = factory.Sequence(lambda n: f"TERME{n}")
    anchor = factory.Sequence(lambda n: f"terme-{n}")
    expansion = ""
    aliases = factory.LazyFunction(list)
    definition = "Une définition."
    see_also = factory.LazyFunction(list)

    @factory.post_generation
    def record_change(self, create, extracted, **kwargs):
        if create:
            db.session.flush()
            kb_record_change(db.session, "glossary", self.id)


class ArticleFeedbackFactory(Base):
    """What a reader who voted « Non » said was missing."""

    class Meta:
        model = ArticleFeedback

    article_id = factory.LazyFunction(lambda: ArticleFactory().id)
    comment = "Il manque le chemin dans l'ENT."


class GlossaryRevisionFactory(Base):
    """One change made in the glossary editor: before → after."""

    class Meta:
        model = GlossaryRevision

    term_id = factory.LazyFunction(lambda: GlossaryTermFactory().id)
    term = "GAR"
    before = factory.LazyFunction(lambda: {"term": "GAR", "definition": "Ancienne définition."})
    after = factory.LazyFunction(lambda: {"term": "GAR", "definition": "Nouvelle définition."})
    comment = "Précision"


class DeflectionFactory(Base):
    class Meta:
        model = Deflection

    article_id = factory.LazyFunction(lambda: ArticleFactory().id)
    keyword_slug = None


class ArticleVoteFactory(Base):
    class Meta:
        model = ArticleVote

    article_id = factory.LazyFunction(lambda: ArticleFactory().id)
    helpful = True
    created_at = factory.LazyFunction(lambda: datetime(2026, 1, 12, 9, 0, tzinfo=UTC))


# --- guided diagnostics ---


class DiagnosticTreeFactory(Base):
    class Meta:
        model = DiagnosticTree

    slug = factory.Sequence(lambda n: f"diagnostic-{n}")
    title = factory.Sequence(lambda n: f"Diagnostic {n}")
    service = "comptes_annuaire"
    current_version = 1


class DiagnosticTreeVersionFactory(Base):
    class Meta:
        model = DiagnosticTreeVersion

    tree = factory.SubFactory(DiagnosticTreeFactory)
    version = 1
    data = factory.LazyAttribute(lambda v: {"slug": v.tree.slug, "title": v.tree.title, "start": "q1", "nodes": {}})


class DiagnosticRunFactory(Base):
    class Meta:
        model = DiagnosticRun

    version = factory.SubFactory(DiagnosticTreeVersionFactory)
    tree = factory.SelfAttribute("version.tree")
    answers = factory.LazyFunction(list)


# --- trainings -------------------------------------------------------------------------------------------
from datetime import timedelta  # noqa: E402

from helpdesk.platform.timeutil import utcnow  # noqa: E402
from helpdesk.trainings.models import (  # noqa: E402
    CalendarToken,
    FilEvent,
    FilRequest,
    FilSlot,
    Registration,
    TrainingModule,
    TrainingSession,
)


class TrainingModuleFactory(Base):
    class Meta:
        model = TrainingModule

    title = factory.Sequence(lambda n: f"Module de formation {n}")
    audience = "equipes"
    level = "decouverte"
    description = "Prise en main de l'ENT pour la classe."
    duration_hours = 3
    prerequisites = "Aucun."


class TrainingSessionFactory(Base):
    class Meta:
        model = TrainingSession

    module = factory.SubFactory(TrainingModuleFactory)
    starts_at = factory.LazyFunction(lambda: (utcnow() + timedelta(days=10)).replace(microsecond=0))
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + timedelta(hours=3))
    place = "DRANE, Toulouse"
    trainer = "Équipe DRANE"
    capacity = 20
    cancel_deadline_hours = 48


class RegistrationFactory(Base):
    class Meta:
        model = Registration

    training_session = factory.SubFactory(TrainingSessionFactory)
    user = factory.SubFactory(UserFactory)
    status = "registered"


class FilRequestFactory(Base):
    class Meta:
        model = FilRequest

    requester = factory.SubFactory(UserFactory, profile="chef_etablissement")
    school = factory.SelfAttribute("requester.school")
    audience = "equipes"
    expected_trainees = 20
    format = "two_half_days"
    preferred_periods = factory.LazyFunction(
        lambda: [
            {
                "start": (utcnow() + timedelta(days=30)).date().isoformat(),
                "end": (utcnow() + timedelta(days=30)).date().isoformat(),
                "moment": "pm",
            }
        ]
    )
    needs = "Harmoniser l'usage du cahier de textes."
    state = "submitted"


class FilSlotFactory(Base):
    class Meta:
        model = FilSlot

    fil_request = factory.SubFactory(FilRequestFactory)
    starts_at = factory.LazyFunction(lambda: (utcnow() + timedelta(days=30)).replace(microsecond=0))
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + timedelta(hours=3))


class FilEventFactory(Base):
    class Meta:
        model = FilEvent

    fil_request = factory.SubFactory(FilRequestFactory)
    to_state = "submitted"


class CalendarTokenFactory(Base):
    class Meta:
        model = CalendarToken

    user = factory.SubFactory(UserFactory)
    token = factory.Sequence(lambda n: f"token-{n:032d}")


class SlaPolicyFactory(Base):
    class Meta:
        model = SlaPolicy

    tier = "n1"
    priority = "normal"
    first_response_minutes = 240
    resolution_minutes = 2400
    warning_ratio = 0.75
    on_breach = "escalate"


_NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)  # a Monday, 10:00 in Paris


class TierCalendarFactory(Base):
    class Meta:
        model = TierCalendar

    tier = factory.Iterator(["n1", "edulab", "pilote", "editeur"])
    hours = factory.LazyFunction(lambda: {str(day): [["08:00", "18:00"]] for day in range(5)})
    counts_during_school_holidays = True


class PublicHolidayFactory(Base):
    class Meta:
        model = PublicHoliday

    day = factory.Sequence(lambda n: date.fromordinal(date(2030, 1, 1).toordinal() + n))
    label = "Jour férié"


class SchoolHolidayPeriodFactory(Base):
    class Meta:
        model = SchoolHolidayPeriod

    zone = "C"
    label = "Vacances"
    first_day = factory.Sequence(lambda n: date.fromordinal(date(2031, 1, 1).toordinal() + 30 * n))
    last_day = factory.LazyAttribute(lambda p: date.fromordinal(p.first_day.toordinal() + 13))


class ClosureFactory(Base):
    class Meta:
        model = Closure

    tier = None
    label = "Fermeture de fin d'année"
    first_day = date(2026, 12, 28)
    last_day = date(2026, 12, 31)


class _PerTicket(Base):
    """SLA rows hang off a ticket by id (no relationship on the model)."""

    class Meta:
        abstract = True

    ticket_id = factory.LazyFunction(lambda: TicketFactory().id)


class SlaClockFactory(_PerTicket):
    class Meta:
        model = SlaClock

    tier = "n1"
    tier_entered_at = _NOW
    warning_at = None
    next_check_at = None
    due_locked = False
    on_breach = "escalate"


class SlaPauseFactory(_PerTicket):
    class Meta:
        model = SlaPause

    reason = "waiting_requester"
    started_at = _NOW


class TierStintFactory(_PerTicket):
    class Meta:
        model = TierStint

    tier = "n1"
    entered_at = _NOW


class SlaBreachFactory(_PerTicket):
    class Meta:
        model = SlaBreach

    kind = "resolution"
    tier = "n1"
    due_at = _NOW
    applied_at = _NOW
    action = "notified"


class MajorIncidentFactory(Base):
    class Meta:
        model = MajorIncident

    status = "candidate"
    service = "messagerie"
    title = "Messagerie indisponible"
    detected_at = _NOW


class NotificationFactory(Base):
    class Meta:
        model = Notification

    user_id = factory.LazyFunction(lambda: UserFactory().id)
    kind = "created"
    title = "Votre demande est enregistrée"
    dedup_key = factory.Sequence(lambda n: f"test-{n}")


class NotificationPreferenceFactory(Base):
    class Meta:
        model = NotificationPreference

    user_id = factory.LazyFunction(lambda: UserFactory().id)
    mode = "digest"


class UserRoleFactory(Base):
    class Meta:
        model = UserRole

    user_id = factory.LazyFunction(lambda: UserFactory().id)
    role = Role.EDULAB


class ArticleRevisionFactory(Base):
    class Meta:
        model = ArticleRevision

    article = factory.SubFactory(ArticleFactory)
    title = factory.SelfAttribute("article.title")
    body_md = factory.SelfAttribute("article.body_md")
    status = "published"
    comment = "Relecture"


class ArticleFactFactory(Base):
    class Meta:
        model = ArticleFact

    article_id = factory.LazyFunction(lambda: ArticleFactory().id)
    fact = factory.Sequence(lambda n: f"F{n:02d}")


class KbChangeFactory(Base):
    class Meta:
        model = KbChange

    kind = "faq"
    object_id = factory.LazyFunction(lambda: ArticleFactory().id)


class CacheVersionFactory(Base):
    class Meta:
        model = CacheVersion

    scope = factory.Sequence(lambda n: f"scope-{n}")
    token = factory.LazyFunction(new_token)


# --- figures, satisfaction, configuration audit ---


class TicketRollupFactory(Base):
    class Meta:
        model = TicketRollup

    cuboid = "full"
    grain = "day"
    bucket = date(2026, 1, 12)
    service = "messagerie"
    keyword_id = 1
    opened_keyword_id = 1
    entry_tier = "n1"
    tier = "n1"
    basin_id = 1
    channel = "web"
    school_id = 0  # 0 on every level but the school ones
    opened = 1


class RollupStateFactory(Base):
    class Meta:
        model = RollupState

    id = factory.Sequence(lambda n: n + 1)


class SurveyFactory(Base):
    class Meta:
        model = Survey

    ticket = factory.SubFactory(TicketFactory)
    requester_id = factory.LazyAttribute(lambda s: s.ticket.requester_id)
    tier = factory.LazyAttribute(lambda s: s.ticket.tier)
    service = factory.LazyAttribute(lambda s: s.ticket.service)
    keyword_id = factory.LazyAttribute(lambda s: s.ticket.keyword_id)
    basin_id = factory.LazyAttribute(lambda s: s.ticket.basin_id)
    school_id = factory.LazyAttribute(lambda s: s.ticket.school_id)
    entry_tier = factory.LazyAttribute(lambda s: s.ticket.entry_tier)
    channel = "web"
    invited_at = factory.LazyFunction(lambda: datetime(2026, 1, 12, 9, 0, tzinfo=UTC))


class AuditEntryFactory(Base):
    class Meta:
        model = AuditEntry

    created_at = factory.LazyFunction(lambda: datetime(2026, 1, 12, 9, 0, tzinfo=UTC))
    entity = "school"
    entity_id = "1"
    entity_label = "Collège"
    action = "updated"
    changes = factory.LazyFunction(lambda: {"name": ["Ancien", "Nouveau"]})


from helpdesk.answers.models import CannedReply  # noqa: E402
from helpdesk.mailchannel.models import InboundMail, MailboxPoll  # noqa: E402
from helpdesk.tickets.models import SavedQueueView, TicketLink, TimeSpent  # noqa: E402


class CannedReplyFactory(Base):
    class Meta:
        model = CannedReply

    title = factory.Sequence(lambda n: f"Réponse type {n}")
    body = "Bonjour {demandeur}, votre demande {reference} est traitée."


class InboundMailFactory(Base):
    class Meta:
        model = InboundMail

    message_key = factory.Sequence(lambda n: f"{n:064x}")
    message_id = factory.Sequence(lambda n: f"<mail-{n}@ac-toulouse.fr>")
    sender = "parent@example.org"
    subject = "Je n'arrive pas à me connecter"
    outcome = "triage"


class MailboxPollFactory(Base):
    class Meta:
        model = MailboxPoll

    last_fetched = 1


class TicketLinkFactory(Base):
    class Meta:
        model = TicketLink

    ticket = factory.SubFactory(TicketFactory)
    other = factory.SubFactory(TicketFactory)


class TimeSpentFactory(Base):
    class Meta:
        model = TimeSpent

    class Params:
        ticket = factory.SubFactory(TicketFactory)

    ticket_id = factory.SelfAttribute("ticket.id")
    user_id = factory.SelfAttribute("ticket.requester.id")
    tier = factory.SelfAttribute("ticket.tier")
    minutes = 15


class SavedQueueViewFactory(Base):
    class Meta:
        model = SavedQueueView

    user_id = factory.LazyAttribute(lambda s: UserFactory().id)
    name = factory.Sequence(lambda n: f"Ma vue {n}")
    query = "tri=age&ordre=desc"
