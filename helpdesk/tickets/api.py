"""Ticket API (bearer token): create, read, list scoped like the UI, reply, transition. Nothing the UI refuses."""

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from helpdesk import policy
from helpdesk.platform import idempotency
from helpdesk.platform.extensions import db
from helpdesk.platform.i18n import N_
from helpdesk.platform.input import int_arg
from helpdesk.platform.openapi import documented
from helpdesk.platform.schemas import from_form, parse
from helpdesk.platform.timeutil import as_utc, utcnow
from helpdesk.policy import Action, Scope
from helpdesk.routing.models import Keyword
from helpdesk.tickets import actions, bulk, links, queries, services, timeline, worktime
from helpdesk.tickets.api_schemas import (
    BulkInput,
    BulkItem,
    BulkOutput,
    CreateTicketInput,
    TicketList,
    TicketListQuery,
    TicketOut,
    action_form,
)
from helpdesk.tickets.models import Ticket
from helpdesk.users import services as users
from helpdesk.users.api_auth import api_user, json_error, token_required

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
        "caller_name",
        "caller_school",
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
CONFLICT = N_("Ce ticket a été modifié entre-temps : relisez-le et renvoyez votre action avec la nouvelle version.")
MESSAGE_ACTIONS = frozenset({"reply", "note", "vendor_message", "files"})


def _iso(value):
    value = as_utc(value)
    return value.isoformat() if value else None


def _entry(entry: timeline.Entry, view) -> dict:
    if entry.kind == "message":
        return {"type": "message", "id": entry.id, "kind": entry.message_kind, "audience": str(entry.audience),
                "author": entry.author, "body": entry.text, "created_at": _iso(entry.when)}  # fmt: skip
    item = {
        "type": "event",
        "id": entry.id,
        "kind": entry.data.get("kind"),
        "label": _(entry.label),
        "created_at": _iso(entry.when),
    }
    if not view.is_requester_side:
        item.update(audience=str(entry.audience), actor=entry.author, reason=entry.text,
                    **{"from": entry.values[0], "to": entry.values[1]})  # fmt: skip
    elif entry.data.get("kind") == "promise_moved":
        item.update(reason=_(entry.text), to=entry.values[1])
    return item


def serialize(ticket, user) -> dict:
    """The ticket as `user` may read it (tickets.timeline.reader_view): same audiences as the page."""
    view = timeline.reader_view(ticket, user)
    data = {
        "reference": ticket.reference,
        "version": ticket.version,
        "status": ticket.status,
        "status_label": _(view.status_label),
        "service": ticket.service,
        "keyword": ticket.keyword.slug,
        "subject": ticket.subject,
        "description": ticket.description,
        "school": {"uai": ticket.school.uai, "name": ticket.school.name},
        "created_at": _iso(ticket.created_at),
        "updated_at": _iso(ticket.updated_at),
        "timeline": [_entry(e, view) for e in view.entries],
        "attachments": [
            {
                "id": a.id,
                "name": a.original_name,
                "size": a.size,
                "content_type": a.content_type,
                "audience": a.audience if not view.is_requester_side else "public",
            }
            for a in view.attachments
        ],  # fmt: skip
        "available_actions": actions.available(ticket, user),
    }
    if not view.is_vendor:
        data["promised_at"] = _iso(ticket.promised_at)
        data["waiting_until"] = _iso(ticket.waiting_until)
        data["extra_fields"] = {
            k: v for k, v in (ticket.extra_fields or {}).items() if view.is_agent or k != "suggested_articles"
        }
    if view.is_agent or view.is_vendor:
        data.update(tier=ticket.tier, type=ticket.type, vendor_reference=ticket.vendor_reference or None,
                    resolution_due_at=_iso(ticket.resolution_due_at))  # fmt: skip
    if view.is_agent:
        data.update(
            priority=ticket.priority,
            channel=ticket.channel,
            requester=ticket.requester.full_name,
            contact={"name": ticket.contact_name, "email": ticket.contact_email, "phone": ticket.contact_phone},
            assignee=ticket.assignee.full_name if ticket.assignee else None,
            first_response_due_at=_iso(ticket.first_response_due_at),
        )
    if ticket.merged_into is not None and policy.can_view_ticket(user, ticket.merged_into):
        data["merged_into"] = ticket.merged_into.reference
    if view.is_agent:
        data["links"] = [{"kind": r.kind, "reference": r.ticket.reference} for r in links.related(db.session, ticket, user)]
    if worktime.readable(user, ticket):
        spent = worktime.totals(db.session, ticket)
        data["time_spent"] = {"minutes": spent.minutes, "per_tier": spent.per_tier}
    return data


def _summary(ticket, user) -> dict:
    summary = {
        "reference": ticket.reference,
        "status": ticket.status,
        "status_label": _(timeline.status_label_for(ticket, user)),
        "service": ticket.service,
        "subject": ticket.subject,
        "version": ticket.version,
        "updated_at": _iso(ticket.updated_at),
    }
    if policy.is_agent(user):
        summary.update(tier=ticket.tier, resolution_due_at=_iso(ticket.resolution_due_at))
    else:
        summary["promised_at"] = _iso(ticket.promised_at)
    return summary


def _body() -> dict | None:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else None


def _once(body: dict, run):
    return idempotency.respond_once(db.session, user_id=api_user().id, body=body, run=run, conflict=_(CONFLICT))


@bp.post("")
@documented(json=CreateTicketInput, responses={201: TicketOut}, tags=["tickets"], writes=True)
@token_required(Scope.TICKETS_WRITE)
def create():
    """Open a ticket. An `Idempotency-Key` header makes a retry return the first answer instead of a second ticket."""
    user, data = api_user(), _body()
    if data is None:
        return json_error(_("Le corps de la requête doit être un objet JSON."))
    forbidden = sorted(set(data) & FORBIDDEN_FIELDS)
    if forbidden:
        return json_error(
            _(
                "Champ(s) non modifiable(s) : %(names)s. Le mot-clé décide du niveau, du service et de la priorité ; "
                "l'établissement est celui du demandeur.",
                names=", ".join(forbidden),
            ),
            fields=forbidden,
        )
    unknown = sorted(set(data) - CREATE_FIELDS)
    if unknown:
        return json_error(_("Champ(s) inconnu(s) : %(names)s.", names=", ".join(unknown)), fields=unknown)
    keyword = db.session.scalar(select(Keyword).where(Keyword.slug == str(data.get("keyword") or "")))
    if keyword is None:
        return json_error(_("Mot-clé inconnu : indiquez le « slug » d'un mot-clé du catalogue."), fields=["keyword"])
    extra = data.get("extra_fields") or {}
    if not isinstance(extra, dict):
        return json_error(_("« extra_fields » doit être un objet."), fields=["extra_fields"])
    problem = _check_extra(keyword, extra)
    if problem:
        return json_error(problem, fields=["extra_fields"])
    on_behalf = data.get("requester_email")
    if on_behalf:
        if not policy.can(user, Action.CREATE_TICKET_ON_BEHALF):
            return json_error(_("Seuls les agents peuvent créer un ticket pour le compte d'une autre personne."), 403)
        for name in ("requester_email", "caller_name", "caller_school", "contact_phone"):
            if name in data and not isinstance(data[name], str | None):
                return json_error(_("« %(name)s » doit être une chaîne.", name=name), fields=[name])
    channel = str(data.get("channel") or "api")
    for_themselves = not on_behalf or str(on_behalf).strip().lower() == user.email.lower()
    if channel not in ("api", "phone", "mail") or (channel != "api" and for_themselves):
        return json_error(
            _("Canal refusé : « api », ou « phone » / « mail » pour un ticket saisi par un agent."), fields=["channel"]
        )
    for name in ("subject", "description", "contact_name", "contact_email", "contact_phone"):
        if name in data and not isinstance(data[name], str):
            return json_error(_("« %(name)s » doit être une chaîne.", name=name), fields=[name])

    def run():
        ticket = services.open_ticket(
            db.session,
            actor=user,
            requester=_requester(user, data) if on_behalf else user,
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
        return serialize(ticket, user), 201

    return _once(data, run)


def _requester(user, data: dict):
    """Whom the agent opens the ticket for: the account of `requester_email`, else the caller it names with
    `caller_name` and `caller_school` (UAI), recorded as on the page (users.requester_for_call). Raises
    ValidationFailed or NotAllowed (a 4xx JSON answer)."""
    return users.requester_for_call(db.session, actor=user, email=data["requester_email"],
                                    caller_name=data.get("caller_name") or "", caller_school=data.get("caller_school") or "",
                                    phone=data.get("contact_phone") or "")  # fmt: skip


def _check_extra(keyword, extra: dict) -> str | None:
    specs = {s["name"]: s for s in keyword.fields or [] if s.get("name")}
    unknown = sorted(set(extra) - set(specs))
    if unknown:
        return _("Champ(s) complémentaire(s) inconnu(s) pour ce mot-clé : %(names)s.", names=", ".join(unknown))
    for name, spec in specs.items():
        value = extra.get(name)
        if spec.get("required") and value in (None, ""):
            return _("Le champ complémentaire « %(name)s » est obligatoire.", name=name)
        if value in (None, ""):
            continue
        if spec.get("type") == "choice" and value not in spec.get("choices", []):
            return _(
                "Valeur refusée pour « %(name)s » : choisir parmi %(choices)s.",
                name=name,
                choices=", ".join(map(str, spec.get("choices", []))),
            )
        if spec.get("type") == "number" and not isinstance(value, int | float):
            return _("« %(name)s » doit être un nombre.", name=name)
        if spec.get("type") == "date":
            from datetime import date

            try:
                date.fromisoformat(str(value))
            except ValueError:
                return _("« %(name)s » doit être une date AAAA-MM-JJ.", name=name)
        if spec.get("type", "text") == "text" and (not isinstance(value, str) or len(value) > 500):
            return _("« %(name)s » doit être un texte de %(max)s caractères au plus.", name=name, max=500)
    return None


@bp.get("/<ref>")
@documented(responses={200: TicketOut}, tags=["tickets"])
@token_required(Scope.TICKETS_READ)
def read(ref):
    """Read one ticket, with the timeline its reader may see."""
    user = api_user()
    return jsonify(serialize(services.get_visible(db.session, ref, actor=user), user))


@bp.get("")
@documented(query=TicketListQuery, responses={200: TicketList}, tags=["tickets"])
@token_required(Scope.TICKETS_READ)
def listing():
    """List the tickets its reader may see, filtered as the queue, a page at a time (`next_cursor`)."""
    user, args = api_user(), request.args
    if args.get("tier") and not policy.can(user, Action.VIEW_QUEUE):
        return json_error(_("Le filtre par niveau est réservé aux agents."), 403)
    limit = int_arg(args.get("limit"), "limit", low=1, high=100, default=queries.PAGE_SIZE)
    basin = int_arg(args.get("basin"), "basin")
    age = int_arg(args.get("age"), "age", high=queries.MAX_AGE_DAYS)
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
    return jsonify(tickets=[_summary(t, user) for t in rows], next_cursor=cursor)


@bp.post("/bulk")
@documented(json=BulkInput, responses={200: BulkOutput}, tags=["tickets"], writes=True)
@token_required(Scope.TICKETS_WRITE)
def bulk_action():
    """A bulk action of the queue: {"action", "tickets": [{"reference", "version"}], and the action's fields};
    each ticket is done or refused on its own, as from the queue page. A retry is safe without Idempotency-Key:
    a ticket already changed no longer has the version sent, and is refused."""
    user, session, body = api_user(), db.session, _body()
    if body is None:
        return json_error(_("Le corps de la requête doit être un objet JSON."))
    items = body.get("tickets")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        return json_error(_("« tickets » est une liste d'objets {reference, version}."), fields=["tickets"])
    name = body.get("action")
    if name not in bulk.OPERATIONS:
        return json_error(_("Action inconnue : choisissez parmi %(names)s.", names=", ".join(bulk.OPERATIONS)),
                          fields=["action"], actions=list(bulk.OPERATIONS))  # fmt: skip
    wanted = [(item.reference.upper(), item.version) for item in (parse(BulkItem, i) for i in items)]
    ids = dict(session.execute(select(Ticket.reference, Ticket.id).where(Ticket.reference.in_([r for r, _v in wanted]))).all())
    if not wanted or len(wanted) > bulk.MAX_SELECTED:
        bulk.parse_selection([f"1:{i}" for i in range(1, len(wanted) + 1)])  # none, or too many: its own refusal
    fields = MultiDict({k: v for k, v in body.items() if k not in ("action", "tickets") and isinstance(v, str | int)})
    known = [f"{ids[r]}:{v}" for r, v in wanted if r in ids]
    if known:
        done = bulk.run(session, bulk.parse_selection(known), name, fields, actor=user, now=utcnow())
    else:
        bulk.check(name, fields, actor=user)
        done = []
    outcomes = {o.ticket_id: o for o in done}
    results = []
    for reference, _version in wanted:
        outcome = outcomes.get(ids.get(reference))
        if outcome is None:
            results.append({"reference": reference, "done": False, "message": _(bulk.UNKNOWN)})
        else:
            message = _(outcome.template, **outcome.params)
            results.append({"reference": outcome.reference, "done": outcome.is_done, "message": message})
    return jsonify(results=results, done=sum(r["done"] for r in results), refused=sum(not r["done"] for r in results))


def _action_input(action) -> dict | None:
    """The action's fields: a JSON object, or for file uploads a multipart form."""
    if action.takes_files and request.mimetype == "multipart/form-data":
        return from_form(action.model, request.form)
    return _body()


@bp.post("/<ref>/actions/<name>")
@documented(responses={}, tags=["ticket actions"], writes=True,
            path_schemas={"name": {"not": {"enum": list(actions.ACTIONS)}}})  # fmt: skip
@token_required(Scope.TICKETS_WRITE)
def act(ref, name):
    """An action that does not exist: 404, with the names of those that do (each has its own path)."""
    services.get_visible(db.session, ref, actor=api_user())
    return json_error(_("Action inconnue : choisissez parmi %(names)s.", names=", ".join(actions.ACTIONS)), 404,
                      actions=list(actions.ACTIONS))  # fmt: skip


def _perform(ref, name):
    """Any action of the ticket page (tickets.actions.ACTIONS), with the ticket `version` read before acting.
    An `Idempotency-Key` header makes a retry return the first answer instead of acting twice."""
    user, session = api_user(), db.session
    ticket = services.get_visible(session, ref, actor=user)
    action = actions.ACTIONS[name]
    body = _action_input(action)
    if body is None:
        return json_error(_("Le corps de la requête doit être un objet JSON."))
    data = parse(action.model, body)
    config = current_app.config
    context = actions.Context(uploads=_uploads(config) if action.takes_files else [], upload_dir=config["UPLOAD_DIR"],
                              max_bytes=config["ATTACHMENT_MAX_BYTES"])  # fmt: skip

    def run():
        actions.perform(session, ticket, name, data, actor=user, now=utcnow(), context=context)
        session.flush()
        return serialize(ticket, user), 201 if name in MESSAGE_ACTIONS else 200

    return _once(body, run)


def _action_route(name: str, action) -> None:
    """One documented path per action, each with its own input model (a static path wins over `<name>`)."""

    def view(ref):
        return _perform(ref, name)

    view.__name__ = f"act_{name}"
    view.__doc__ = f"{action.label}. " + (
        "Corps JSON, ou formulaire multipart avec des fichiers `files`." if action.takes_files else "Corps JSON."
    )
    status = 201 if name in MESSAGE_ACTIONS else 200
    form = action_form(action.model) if action.takes_files else None
    documented_view = documented(json=action.model, form=form, responses={status: TicketOut}, tags=["ticket actions"],
                                 writes=True)(token_required(Scope.TICKETS_WRITE)(view))  # fmt: skip
    bp.add_url_rule(f"/<ref>/actions/{name}", endpoint=f"act_{name}", view_func=documented_view, methods=["POST"])


for _name, _action in actions.ACTIONS.items():
    _action_route(_name, _action)


def _uploads(config) -> list[tuple[str, bytes]]:
    limit = config["ATTACHMENT_MAX_BYTES"]
    return [(f.filename, f.stream.read(limit + 1)) for f in request.files.getlist("files") if f and f.filename]
