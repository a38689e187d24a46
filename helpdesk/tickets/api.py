"""Ticket API (bearer token): create, read, list scoped like the UI, reply, transition. Nothing the UI refuses."""

from flask import Blueprint, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from helpdesk import policy
from helpdesk.platform.errors import DomainError
from helpdesk.platform.extensions import db
from helpdesk.platform.timeutil import utcnow
from helpdesk.policy import Action
from helpdesk.routing.models import Keyword
from helpdesk.tickets import queries, services
from helpdesk.users.api_auth import api_user, json_error, token_required
from helpdesk.users.models import User

bp = Blueprint("tickets_api", __name__, url_prefix="/api/v1/tickets")

CREATE_FIELDS = frozenset(
    {
        "keyword",
        "subject",
        "description",
        "extra_fields",
        "contact_name",
        "contact_email",
        "contact_phone",
        "requester_email",
        "channel",
    }
)
FORBIDDEN_FIELDS = frozenset(
    {
        "tier",
        "status",
        "school",
        "school_id",
        "school_uai",
        "service",
        "priority",
        "type",
        "basin",
        "basin_id",
        "assignee",
        "reference",
        "version",
    }
)
TRANSITIONS = ("take", "wait_requester", "resolve", "escalate", "send_down", "confirm", "reopen")
CONFLICT = "Ce ticket a été modifié entre-temps : relisez-le et renvoyez votre action avec la nouvelle version."


def _iso(value):
    return value.isoformat() if value else None


def serialize(ticket, user) -> dict:
    internal = policy.can(user, Action.VIEW_INTERNAL, ticket)
    extra = {k: v for k, v in (ticket.extra_fields or {}).items() if internal or k != "suggested_articles"}
    return {
        "reference": ticket.reference,
        "version": ticket.version,
        "type": ticket.type,
        "status": ticket.status,
        "tier": ticket.tier,
        "service": ticket.service,
        "keyword": ticket.keyword.slug,
        "priority": ticket.priority,
        "subject": ticket.subject,
        "description": ticket.description,
        "extra_fields": extra,
        "channel": ticket.channel,
        "school": {"uai": ticket.school.uai, "name": ticket.school.name},
        "requester": ticket.requester.full_name,
        "assignee": ticket.assignee.full_name if ticket.assignee else None,
        "vendor_reference": ticket.vendor_reference or None,
        "created_at": _iso(ticket.created_at),
        "updated_at": _iso(ticket.updated_at),
        "first_response_due_at": _iso(ticket.first_response_due_at),
        "resolution_due_at": _iso(ticket.resolution_due_at),
        "messages": [
            {"author": m.author.full_name, "body": m.body, "internal": m.is_internal, "created_at": _iso(m.created_at)}
            for m in ticket.messages
            if internal or not m.is_internal
        ],
        "events": [
            {
                "kind": e.kind,
                "actor": e.actor.full_name if e.actor else None,
                "from": e.from_value,
                "to": e.to_value,
                "reason": e.reason,
                "created_at": _iso(e.created_at),
            }
            for e in ticket.events
            if internal or e.kind != "note"
        ],
    }


def _summary(ticket) -> dict:
    return {
        "reference": ticket.reference,
        "status": ticket.status,
        "tier": ticket.tier,
        "service": ticket.service,
        "subject": ticket.subject,
        "version": ticket.version,
        "resolution_due_at": _iso(ticket.resolution_due_at),
        "updated_at": _iso(ticket.updated_at),
    }


def _body() -> dict | None:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else None


def _commit_or_conflict(build):
    """Run the use case, commit; a concurrent write detected by the database is a 409, never an overwrite."""
    try:
        result = build()
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return json_error(CONFLICT, 409)
    except DomainError:
        db.session.rollback()
        raise
    return result


@bp.post("")
@token_required
def create():
    user, data = api_user(), _body()
    if data is None:
        return json_error("Le corps de la requête doit être un objet JSON.")
    forbidden = sorted(set(data) & FORBIDDEN_FIELDS)
    if forbidden:
        return json_error(
            f"Champ(s) non modifiable(s) : {', '.join(forbidden)}. Le mot-clé décide du niveau, du service et de la priorité ; "
            "l'établissement est celui du demandeur.",
            fields=forbidden,
        )
    unknown = sorted(set(data) - CREATE_FIELDS)
    if unknown:
        return json_error(f"Champ(s) inconnu(s) : {', '.join(unknown)}.", fields=unknown)
    keyword = db.session.scalar(select(Keyword).where(Keyword.slug == str(data.get("keyword") or "")))
    if keyword is None:
        return json_error("Mot-clé inconnu : indiquez le « slug » d'un mot-clé du catalogue.", fields=["keyword"])
    extra = data.get("extra_fields") or {}
    if not isinstance(extra, dict):
        return json_error("« extra_fields » doit être un objet.", fields=["extra_fields"])
    problem = _check_extra(keyword, extra)
    if problem:
        return json_error(problem, fields=["extra_fields"])
    requester = user
    if data.get("requester_email"):
        if not policy.can(user, Action.CREATE_TICKET_ON_BEHALF):
            return json_error("Seuls les agents peuvent créer un ticket pour le compte d'une autre personne.", 403)
        requester = db.session.scalar(select(User).where(User.email == str(data["requester_email"]).strip().lower()))
        if requester is None:
            return json_error("Aucun compte ne correspond à « requester_email ».", fields=["requester_email"])
    channel = str(data.get("channel") or "api")
    if channel not in ("api", "phone", "mail") or (channel != "api" and requester.id == user.id):
        return json_error(
            "Canal refusé : « api », ou « phone » / « mail » pour un ticket saisi par un agent.", fields=["channel"]
        )
    for name in ("subject", "description", "contact_name", "contact_email", "contact_phone"):
        if name in data and not isinstance(data[name], str):
            return json_error(f"« {name} » doit être une chaîne.", fields=[name])
    ticket = services.open_ticket(
        db.session,
        actor=user,
        requester=requester,
        keyword=keyword,
        subject=data.get("subject", ""),
        description=data.get("description", ""),
        now=utcnow(),
        channel=channel,
        extra_fields=extra,
        contact_name=data.get("contact_name", ""),
        contact_email=data.get("contact_email", ""),
        contact_phone=data.get("contact_phone", ""),
    )
    db.session.commit()
    return jsonify(serialize(ticket, user)), 201


def _check_extra(keyword, extra: dict) -> str | None:
    specs = {s["name"]: s for s in keyword.fields or [] if s.get("name")}
    unknown = sorted(set(extra) - set(specs))
    if unknown:
        return f"Champ(s) complémentaire(s) inconnu(s) pour ce mot-clé : {', '.join(unknown)}."
    for name, spec in specs.items():
        value = extra.get(name)
        if spec.get("required") and value in (None, ""):
            return f"Le champ complémentaire « {name} » est obligatoire."
        if value in (None, ""):
            continue
        if spec.get("type") == "choice" and value not in spec.get("choices", []):
            return f"Valeur refusée pour « {name} » : choisir parmi {', '.join(map(str, spec.get('choices', [])))}."
        if spec.get("type") == "number" and not isinstance(value, int | float):
            return f"« {name} » doit être un nombre."
        if spec.get("type") == "date":
            from datetime import date

            try:
                date.fromisoformat(str(value))
            except ValueError:
                return f"« {name} » doit être une date AAAA-MM-JJ."
        if spec.get("type", "text") == "text" and (not isinstance(value, str) or len(value) > 500):
            return f"« {name} » doit être un texte de 500 caractères au plus."
    return None


@bp.get("/<ref>")
@token_required
def read(ref):
    user = api_user()
    return jsonify(serialize(services.get_visible(db.session, ref, actor=user), user))


@bp.get("")
@token_required
def listing():
    user, args = api_user(), request.args
    if args.get("tier") and not policy.can(user, Action.VIEW_QUEUE):
        return json_error("Le filtre par niveau est réservé aux agents.", 403)
    try:
        limit = min(max(int(args.get("limit", queries.PAGE_SIZE)), 1), 100)
        basin = int(args["basin"]) if args.get("basin") else None
        age = int(args["age"]) if args.get("age") else None
    except ValueError:
        return json_error("« limit », « basin » et « age » doivent être des entiers.")
    filters = queries.Filters(
        tier=args.get("tier"),
        service=args.get("service"),
        keyword=args.get("keyword"),
        status=args.get("status") or "all",
        school=args.get("school"),
        basin=basin,
        min_age_days=age,
        q=args.get("q") if policy.is_agent(user) else None,
    )
    stmt = queries.filtered(db.session, user, filters, now=utcnow())
    rows, cursor = queries.page(db.session, stmt, cursor=args.get("cursor"), limit=limit)
    return jsonify(tickets=[_summary(t) for t in rows], next_cursor=cursor)


@bp.post("/<ref>/replies")
@token_required
def reply(ref):
    user, data = api_user(), _body()
    ticket = services.get_visible(db.session, ref, actor=user)
    if data is None or not isinstance(data.get("body"), str):
        return json_error("Indiquez le message dans « body ».", fields=["body"])
    internal = bool(data.get("internal", False))
    if internal and not policy.can(user, Action.ADD_INTERNAL_NOTE, ticket):
        return json_error("Seuls les agents peuvent écrire une note interne.", 403)
    if "version" in data:
        services.check_version(ticket, data["version"])
    result = _commit_or_conflict(
        lambda: services.add_message(db.session, ticket, actor=user, body=data["body"], now=utcnow(), internal=internal)
    )
    if isinstance(result, tuple):
        return result
    return jsonify(serialize(ticket, user)), 201


@bp.post("/<ref>/transitions")
@token_required
def transition(ref):
    user, data = api_user(), _body()
    ticket = services.get_visible(db.session, ref, actor=user)
    if data is None or data.get("action") not in TRANSITIONS:
        return json_error(f"« action » doit valoir : {', '.join(TRANSITIONS)}.", fields=["action"])
    if "version" not in data:
        return json_error(
            "Indiquez la « version » du ticket lue avant l'action (contrôle des modifications concurrentes).", fields=["version"]
        )
    try:
        version = int(data["version"])
    except (TypeError, ValueError):
        return json_error("« version » doit être un entier.", fields=["version"])
    action, reason, now = data["action"], str(data.get("reason") or ""), utcnow()

    def run():
        if action == "take":
            services.change_status(db.session, ticket, "taken", actor=user, now=now, expected_version=version)
        elif action == "wait_requester":
            services.change_status(
                db.session, ticket, "waiting_requester", actor=user, now=now, reason=reason, expected_version=version
            )
        elif action == "resolve":
            services.change_status(db.session, ticket, "resolved", actor=user, now=now, reason=reason, expected_version=version)
        elif action == "escalate":
            services.escalate(
                db.session,
                ticket,
                actor=user,
                reason=reason,
                now=now,
                expected_version=version,
                as_bug=bool(data.get("as_bug")),
                vendor_reference=str(data.get("vendor_reference") or ""),
            )
        elif action == "send_down":
            services.send_down(db.session, ticket, actor=user, reason=reason, now=now, expected_version=version)
        elif action == "confirm":
            services.check_version(ticket, version)
            services.confirm_resolution(db.session, ticket, actor=user, now=now, reason=reason)
        else:
            services.check_version(ticket, version)
            services.reopen(db.session, ticket, actor=user, now=now, reason=reason)

    result = _commit_or_conflict(run)
    if isinstance(result, tuple):
        return result
    return jsonify(serialize(ticket, user))
