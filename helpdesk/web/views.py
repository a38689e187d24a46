"""Home page (one per role), health check and language choice."""

from flask import Blueprint, current_app, jsonify, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select, text

from escalation.services import holiday_coverage
from helpdesk import policy
from helpdesk.mailchannel import services as mailchannel
from helpdesk.mailchannel.models import MailboxPoll
from helpdesk.platform.extensions import db
from helpdesk.platform.locale import remember_in_browser
from helpdesk.platform.queue import redis_connection
from helpdesk.platform.security import is_safe_next
from helpdesk.platform.timeutil import utcnow
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.states import Status
from helpdesk.users.services import set_locale

bp = Blueprint("web", __name__)

# When this process started: a node just deployed has not had the time to read the mailbox yet.
_STARTED_AT = utcnow()


def _agent_queue(user, limit: int = 10) -> dict[str, list[Ticket]]:
    """The open tickets of the tiers this agent works in (policy.queue_tiers), most urgent first: the new
    arrivals, nobody at their tier has taken them yet, apart from the work in progress."""
    tiers = [str(t) for t in policy.queue_tiers(user)]
    base = select(Ticket).where(Ticket.is_open.is_(True), Ticket.tier.in_(tiers), policy.ticket_scope(user, Ticket))
    order = (Ticket.resolution_due_at.is_(None), Ticket.resolution_due_at, Ticket.id)
    arrivals = base.where(Ticket.status == Status.NEW).order_by(*order).limit(limit)
    mine = base.where(Ticket.status != Status.NEW, Ticket.assignee_id == user.id).order_by(*order).limit(limit)
    return {"arrivals": list(db.session.scalars(arrivals)), "mine": list(db.session.scalars(mine)), "tiers": tiers}


def _my_tickets(user, limit: int = 5) -> list[Ticket]:
    query = select(Ticket).where(Ticket.requester_id == user.id).order_by(Ticket.id.desc()).limit(limit)
    return list(db.session.scalars(query))


HOME_TEMPLATES = {
    "public": "web/home_public.html",
    "agent": "web/home_agent.html",
    "admin": "web/home_admin.html",
    "training": "web/home_training.html",
    "requester": "web/home_requester.html",
}


@bp.get("/")
def home():
    page = policy.home_page(current_user)
    context = {}
    if page == "agent":
        context["queue"] = _agent_queue(current_user)
    elif page == "requester":
        context["tickets"] = _my_tickets(current_user)
    return render_template(HOME_TEMPLATES[page], **context)


@bp.get("/langue/<code>")
def set_language(code: str):
    target = request.args.get("next")
    response = make_response(redirect(target if is_safe_next(target) else url_for("web.home")))
    if code in current_app.config["LANGUAGES"]:
        if current_user.is_authenticated:  # the account remembers it: the interface after login, and the mails
            set_locale(db.session, current_user, code, supported=current_app.config["LANGUAGES"])
            db.session.commit()
        remember_in_browser(response, code)
    return response


@bp.get("/healthz")
def healthz():
    checks = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:  # report, never raise: this page exists to say what is down
        checks["database"] = f"error: {type(error).__name__}"
        db.session.rollback()
    try:
        redis_connection().ping()
        checks["redis"] = "ok"
    except Exception as error:
        checks["redis"] = f"error: {type(error).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    extra = {}
    if checks["database"] == "ok":
        try:  # a warning, not a fault: the SLA calendars soon run out of holiday data
            coverage = holiday_coverage(db.session, today=utcnow().date())
            extra["holidays_until"] = coverage.until.isoformat() if coverage.until else None
            if coverage.runs_out_soon:
                extra["warnings"] = [coverage.message]
        except Exception:  # noqa: BLE001 — never fail the health check on its courtesy part
            db.session.rollback()
        if current_app.config["MAIL_IMAP_HOST"]:
            try:  # a warning too: unread mail is a channel gone quiet, the web still serves
                warning = mailchannel.mailbox_warning(db.session.get(MailboxPoll, 1), now=utcnow(), started_at=_STARTED_AT)
                if warning:
                    extra.setdefault("warnings", []).append(warning)
            except Exception:  # noqa: BLE001
                db.session.rollback()
    return jsonify(status="ok" if healthy else "degraded", **checks, **extra), (200 if healthy else 503)


@bp.get("/accessibilite")
def accessibility():
    return render_template("web/accessibility.html")


@bp.get("/mentions-legales")
def legal():
    return render_template("web/legal.html")
