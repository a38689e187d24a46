"""FAQ articles, their revisions, the glossary, deflections, and the change sequence every node's index follows."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.platform.extensions import db
from helpdesk.platform.i18n import N_
from helpdesk.platform.timeutil import utcnow
from helpdesk.platform.types import UTCDateTime


class ArticleStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Audience(StrEnum):
    PUBLIC = "public"
    STAFF = "staff"
    ENT_ADMIN = "ent_admin"
    HEADS = "heads"
    AGENTS = "agents"


AUDIENCE_LABELS = {
    Audience.PUBLIC: N_("Tout public"),
    Audience.STAFF: N_("Personnels d'établissement"),
    Audience.ENT_ADMIN: N_("Administrateurs ENT"),
    Audience.HEADS: N_("Chefs d'établissement"),
    Audience.AGENTS: N_("Agents de l'assistance"),
}

STATUS_LABELS = {
    ArticleStatus.DRAFT: N_("Brouillon"),
    ArticleStatus.PUBLISHED: N_("Publié"),
    ArticleStatus.ARCHIVED: N_("Archivé"),
}


class Article(db.Model):
    __tablename__ = "kb_article"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    body_md: Mapped[str] = mapped_column(Text, default="")
    service: Mapped[str] = mapped_column(String(40), index=True)
    audience: Mapped[str] = mapped_column(String(20), default=Audience.PUBLIC)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    keywords: Mapped[list] = mapped_column(JSON, default=list)  # labels of routing keywords
    glossary_terms: Mapped[list] = mapped_column(JSON, default=list)
    admin_path: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(12), default=ArticleStatus.DRAFT, index=True)
    views: Mapped[int] = mapped_column(Integer, default=0)
    votes_yes: Mapped[int] = mapped_column(Integer, default=0)
    votes_no: Mapped[int] = mapped_column(Integer, default=0)
    change_seq: Mapped[int] = mapped_column(Integer, default=0, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    revisions: Mapped[list["ArticleRevision"]] = relationship(
        back_populates="article", order_by="ArticleRevision.id.desc()", cascade="all, delete-orphan"
    )

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED

    def __str__(self) -> str:
        return self.title


class ReviewState(StrEnum):
    """A revision proposed by an EduLAB referent for a published article waits beside it for a pilot's decision."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # a newer proposal for the same article replaced it before any decision


REVIEW_STATE_LABELS = {
    ReviewState.PENDING: N_("En attente d'approbation"),
    ReviewState.APPROVED: N_("Approuvée"),
    ReviewState.REJECTED: N_("Refusée"),
    ReviewState.SUPERSEDED: N_("Remplacée par une proposition plus récente"),
}


class ArticleRevision(db.Model):
    """A full snapshot of the text at each save, with who and why: the history editors diff.

    A proposal (review_state set) also carries every field it would change, and stays out of the article until
    a pilot approves it; plain history rows leave review_state empty."""

    __tablename__ = "kb_article_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_article.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    title: Mapped[str] = mapped_column(String(200))
    body_md: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default=ArticleStatus.DRAFT)
    comment: Mapped[str] = mapped_column(String(300), default="")
    service: Mapped[str | None] = mapped_column(String(40))
    audience: Mapped[str | None] = mapped_column(String(20))
    tags: Mapped[list | None] = mapped_column(JSON)
    admin_path: Mapped[str | None] = mapped_column(String(300))
    review_state: Mapped[str | None] = mapped_column(String(12), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_reason: Mapped[str] = mapped_column(String(500), default="")

    article: Mapped[Article] = relationship(back_populates="revisions")
    author = relationship("User", foreign_keys=[author_id])
    reviewer = relationship("User", foreign_keys=[reviewer_id])


class ArticleFact(db.Model):
    """Which known fact of the ENT support (F01, F02… in the domain notes) an article explains.

    Diagnostic outcomes cite the same fact ids, so a fix links to the articles that explain it."""

    __tablename__ = "kb_article_fact"

    article_id: Mapped[int] = mapped_column(ForeignKey("kb_article.id", ondelete="CASCADE"), primary_key=True)
    fact: Mapped[str] = mapped_column(String(12), primary_key=True, index=True)


class GlossaryTerm(db.Model):
    __tablename__ = "kb_glossary_term"

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(120), unique=True)
    anchor: Mapped[str] = mapped_column(String(140), unique=True)
    expansion: Mapped[str] = mapped_column(String(300), default="")
    aliases: Mapped[list] = mapped_column(JSON, default=list)
    definition: Mapped[str] = mapped_column(Text, default="")
    service: Mapped[str | None] = mapped_column(String(40))
    see_also: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __str__(self) -> str:
        return self.term


class GlossaryRevision(db.Model):
    """One change of a glossary entry made in the editor: who, when, and the entry before and after (None when
    created or deleted). The YAML file seeds the glossary; day-to-day changes are made here."""

    __tablename__ = "kb_glossary_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int | None] = mapped_column(ForeignKey("kb_glossary_term.id", ondelete="SET NULL"), index=True)
    term: Mapped[str] = mapped_column(String(120))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(String(300), default="")

    author = relationship("User")


class ArticleFeedback(db.Model):
    """What a reader who answered « Non » to « Cette réponse vous a-t-elle aidé ? » said was missing."""

    __tablename__ = "kb_article_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_article.id", ondelete="CASCADE"), index=True)
    comment: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Deflection(db.Model):
    """A requester read a suggested article and said it solved the problem: one ticket not opened."""

    __tablename__ = "kb_deflection"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_article.id", ondelete="CASCADE"), index=True)
    keyword_slug: Mapped[str | None] = mapped_column(String(140), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ArticleVote(db.Model):
    """One answer to « Cette réponse vous a-t-elle aidé ? », dated (the article keeps the running totals)."""

    __tablename__ = "kb_article_vote"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_article.id", ondelete="CASCADE"), index=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class KbChange(db.Model):
    """Append-only change sequence: each web node polls max(id) and re-indexes what changed since it last looked."""

    __tablename__ = "kb_change"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused, even after deletes: nodes compare them

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(12))  # "faq" | "glossary"
    object_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
