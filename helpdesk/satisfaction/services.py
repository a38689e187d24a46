"""Satisfaction use cases: invite at resolution, answer once (in the app or through the signed link of the
resolution e-mail, which stands for the requester without a login), and the results per tier, service and basin."""

from __future__ import annotations

from datetime import date, datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import case, func, select

from helpdesk import policy
from helpdesk.platform.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from helpdesk.platform.i18n import N_
from helpdesk.reports.periods import day_bounds_utc
from helpdesk.satisfaction.models import ANSWER_CHANNELS, Survey
from helpdesk.tickets.models import Ticket

LINK_SALT = "satisfaction-survey"
LINK_MAX_AGE_DAYS = 90
COMMENT_MAX = 2000


def invite(session, ticket: Ticket, *, now: datetime) -> Survey | None:
    """The survey of a ticket just resolved; None when it was already asked (a reopened ticket is asked once)."""
    if session.scalar(select(Survey.id).where(Survey.ticket_id == ticket.id)) is not None:
        return None
    survey = Survey(
        ticket_id=ticket.id,
        requester_id=ticket.requester_id,
        tier=ticket.tier,
        service=ticket.service,
        keyword_id=ticket.keyword_id,
        basin_id=ticket.basin_id,
        school_id=ticket.school_id,
        entry_tier=ticket.entry_tier,
        channel=ticket.channel,
        invited_at=now,
    )
    session.add(survey)
    session.flush()
    return survey


def make_token(secret: str, ticket_id: int) -> str:
    return URLSafeTimedSerializer(secret, salt=LINK_SALT).dumps({"t": int(ticket_id)})


def survey_from_token(session, secret: str, token: str) -> Survey:
    """The survey a signed link points to. Raises NotFound for a forged, damaged or expired link (French message)."""
    try:
        data = URLSafeTimedSerializer(secret, salt=LINK_SALT).loads(token, max_age=LINK_MAX_AGE_DAYS * 86400)
    except SignatureExpired as error:
        raise NotFound(N_("Ce lien a expiré : connectez-vous pour donner votre avis depuis la page du ticket.")) from error
    except BadSignature as error:
        raise NotFound(N_("Ce lien n'est pas valide : vérifiez qu'il a été copié en entier.")) from error
    survey = session.scalar(select(Survey).where(Survey.ticket_id == int(data.get("t", 0))))
    if survey is None:
        raise NotFound(N_("Aucun questionnaire n'est attendu pour ce ticket."))
    return survey


def pending_for(session, ticket: Ticket, *, actor) -> Survey | None:
    """The unanswered survey of this ticket, when the actor is the one asked."""
    survey = session.scalar(select(Survey).where(Survey.ticket_id == ticket.id))
    if survey is None or survey.answered_at is not None or not policy.can_answer_survey(actor, survey):
        return None
    return survey


def survey_for_ticket(session, ticket: Ticket, *, actor) -> Survey:
    survey = session.scalar(select(Survey).where(Survey.ticket_id == ticket.id))
    if survey is None:
        raise NotFound(N_("Aucun questionnaire n'est attendu pour ce ticket."))
    if not policy.can_answer_survey(actor, survey):
        raise NotAllowed(N_("Seul le demandeur du ticket répond à ce questionnaire."))
    return survey


def answer(session, survey: Survey, *, resolved, rating, comment: str, via: str, now: datetime) -> Survey:
    """Record the answer, once. Raises ValidationFailed (with the list of problems) or Conflict when already
    answered. The caller has checked who answers: the requester logged in, or the signed link."""
    if via not in ANSWER_CHANNELS:
        raise ValueError(f"unknown answer channel {via}")
    if survey.answered_at is not None:
        raise Conflict(N_("Vous avez déjà répondu à ce questionnaire : merci !"))
    problems = []
    if resolved not in (True, False):
        problems.append(N_("Indiquez si votre problème est résolu."))
    if rating not in (1, 2, 3, 4, 5):
        problems.append(N_("Choisissez une note de 1 à 5."))
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        problems.append(N_("Le commentaire dépasse %(max)s caractères.", max=COMMENT_MAX))
    if problems:
        raise ValidationFailed(problems, errors=problems)
    survey.resolved, survey.rating, survey.comment = resolved, rating, comment
    survey.answered_at, survey.answered_by = now, via
    session.flush()
    return survey


def results(session, first: date, last: date, filters) -> dict:
    """Surveys sent in the Paris days first..last for the filters (reports.services.Filters): totals, ratings,
    per tier, service and basin, and the latest comments."""
    start, end = day_bounds_utc(first, last)
    where = [Survey.invited_at >= start, Survey.invited_at < end]
    for name in ("service", "keyword_id", "entry_tier", "basin_id", "school_id", "channel"):
        value = getattr(filters, name)
        if value is not None:
            where.append(getattr(Survey, name) == value)
    answered = Survey.answered_at.is_not(None)

    def measures(*group):
        stmt = select(
            *group,
            func.count(Survey.id),
            func.count(Survey.answered_at),
            func.sum(case((Survey.resolved.is_(True), 1), else_=0)),
            func.avg(Survey.rating),
        ).where(*where)
        if group:
            stmt = stmt.group_by(*group)
        out = []
        for row in session.execute(stmt):
            invited, count, resolved, average = row[len(group) :]
            out.append(
                {
                    "value": row[0] if group else None,
                    "invited": invited,
                    "answered": count,
                    "answer_rate": round(100 * count / invited, 1) if invited else None,
                    "resolved_rate": round(100 * int(resolved or 0) / count, 1) if count else None,
                    "average": round(float(average), 2) if average is not None else None,
                }
            )
        return out

    ratings = dict(session.execute(select(Survey.rating, func.count()).where(*where, answered).group_by(Survey.rating)).all())
    comments = session.execute(
        select(Survey.answered_at, Ticket.reference, Survey.resolved, Survey.rating, Survey.comment)
        .join(Ticket, Ticket.id == Survey.ticket_id)
        .where(*where, answered, Survey.comment != "")
        .order_by(Survey.answered_at.desc())
        .limit(20)
    ).all()
    by = {}
    for name in ("tier", "service", "basin_id"):
        rows = measures(getattr(Survey, name))
        by[name] = sorted(rows, key=lambda r: (-r["invited"], str(r["value"])))
    return {
        "summary": measures()[0],
        "ratings": [(note, ratings.get(note, 0)) for note in range(1, 6)],
        "by": by,
        "comments": [
            {"answered_at": a, "reference": ref, "resolved": res, "rating": rating, "comment": text}
            for a, ref, res, rating, text in comments
        ],
    }
