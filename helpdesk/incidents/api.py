"""Mass-incident API (bearer token, level 1 and the pilot team): the same use cases as the incidents page."""

from flask import Blueprint, jsonify
from flask_babel import gettext as _
from pydantic import BaseModel, Field

from helpdesk.incidents import services
from helpdesk.incidents.models import MajorIncident
from helpdesk.platform import idempotency
from helpdesk.platform.extensions import db
from helpdesk.platform.i18n import N_
from helpdesk.platform.openapi import documented
from helpdesk.platform.schemas import Input, parse
from helpdesk.platform.timeutil import as_utc, utcnow
from helpdesk.policy import Scope
from helpdesk.users.api_auth import api_user, json_error, token_required

bp = Blueprint("incidents_api", __name__, url_prefix="/api/v1/incidents")
CONFLICT = N_("Cet incident a été modifié entre-temps : relisez-le puis recommencez.")


class DeclareInput(Input):
    service: str = Field(min_length=1, max_length=40, title="service")
    title: str = Field(min_length=1, max_length=services.TITLE_MAX, title="title")
    message: str = Field(min_length=1, max_length=services.MESSAGE_MAX, title="message")
    from_ticket: str | None = Field(default=None, max_length=30, title="from_ticket")


class TicketInput(Input):
    reference: str = Field(min_length=1, max_length=30, title="reference")


class NewsInput(Input):
    message: str = Field(min_length=1, max_length=20000, title="message")


class ResolveInput(NewsInput):
    confirmed: bool = Field(title="confirmed")


class IncidentOut(BaseModel):
    id: int
    status: str
    service: str
    title: str
    message: str
    detected_at: str | None
    confirmed_at: str | None
    resolved_at: str | None
    tickets: list[str]


class IncidentList(BaseModel):
    incidents: list[IncidentOut]


class NewsOut(BaseModel):
    sent: int
    incident: IncidentOut


class ResolvedOut(BaseModel):
    resolved: int
    incident: IncidentOut


def _iso(value):
    value = as_utc(value)
    return value.isoformat() if value else None


def serialize(incident: MajorIncident) -> dict:
    return {
        "id": incident.id,
        "status": incident.status,
        "service": incident.service,
        "title": incident.title,
        "message": incident.message,
        "detected_at": _iso(incident.detected_at),
        "confirmed_at": _iso(incident.confirmed_at),
        "resolved_at": _iso(incident.resolved_at),
        "tickets": [t.reference for t in services.members(db.session, incident)],
    }


def _body():
    from flask import request

    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else None


def _write(run):
    body = _body()
    if body is None:
        return json_error(_("Le corps de la requête doit être un objet JSON."))
    return idempotency.respond_once(db.session, user_id=api_user().id, body=body, run=lambda: run(body), conflict=_(CONFLICT))


@bp.get("")
@documented(responses={200: IncidentList}, tags=["incidents"])
@token_required(Scope.INCIDENTS_READ)
def listing():
    """The major incidents, newest first (100 at most)."""
    return jsonify(incidents=[serialize(i) for i in services.list_incidents(db.session, actor=api_user())])


@bp.post("")
@documented(json=DeclareInput, responses={201: IncidentOut}, tags=["incidents"], writes=True)
@token_required(Scope.INCIDENTS_WRITE)
def declare():
    """Declare a major incident, possibly from a ticket."""

    def run(body):
        data = parse(DeclareInput, body)
        source = None
        if data.from_ticket:
            from helpdesk.tickets.services import get_visible

            source = get_visible(db.session, data.from_ticket.strip().upper(), actor=api_user())
        incident = services.declare(db.session, actor=api_user(), service=data.service, title=data.title,
                                    message=data.message, now=utcnow(), from_ticket=source)  # fmt: skip
        return serialize(incident), 201

    return _write(run)


@bp.get("/<int(max=2147483647):incident_id>")
@documented(responses={200: IncidentOut}, tags=["incidents"])
@token_required(Scope.INCIDENTS_READ)
def read(incident_id):
    """Read one major incident and its tickets."""
    return jsonify(serialize(services.get(db.session, incident_id, actor=api_user())))


@bp.post("/<int(max=2147483647):incident_id>/tickets")
@documented(json=TicketInput, responses={200: IncidentOut}, tags=["incidents"], writes=True)
@token_required(Scope.INCIDENTS_WRITE)
def attach(incident_id):
    """Attach a ticket to the incident."""

    def run(body):
        services.attach(db.session, incident_id, parse(TicketInput, body).reference, actor=api_user(), now=utcnow())
        return serialize(services.get(db.session, incident_id, actor=api_user())), 200

    return _write(run)


@bp.delete("/<int(max=2147483647):incident_id>/tickets/<ref>")
@documented(responses={200: IncidentOut}, tags=["incidents"], writes=True)
@token_required(Scope.INCIDENTS_WRITE)
def detach(incident_id, ref):
    """Detach a ticket from the incident."""
    from helpdesk.tickets.services import get_visible

    ticket = get_visible(db.session, ref, actor=api_user())
    services.detach(db.session, incident_id, ticket.id, actor=api_user(), now=utcnow())
    db.session.commit()
    return jsonify(serialize(services.get(db.session, incident_id, actor=api_user())))


@bp.post("/<int(max=2147483647):incident_id>/news")
@documented(json=NewsInput, responses={201: NewsOut}, tags=["incidents"], writes=True)
@token_required(Scope.INCIDENTS_WRITE)
def news(incident_id):
    """Send news to the requesters of the attached tickets."""

    def run(body):
        sent = services.post_news(db.session, incident_id, actor=api_user(), message=parse(NewsInput, body).message, now=utcnow())
        return {"sent": sent, "incident": serialize(services.get(db.session, incident_id, actor=api_user()))}, 201

    return _write(run)


@bp.post("/<int(max=2147483647):incident_id>/resolve")
@documented(json=ResolveInput, responses={200: ResolvedOut}, tags=["incidents"], writes=True)
@token_required(Scope.INCIDENTS_WRITE)
def resolve(incident_id):
    """Resolve the incident and its tickets with one message."""

    def run(body):
        data = parse(ResolveInput, body)
        count = services.resolve(db.session, incident_id, actor=api_user(), message=data.message, confirmed=data.confirmed,
                                 now=utcnow())  # fmt: skip
        return {"resolved": count, "incident": serialize(services.get(db.session, incident_id, actor=api_user()))}, 200

    return _write(run)
