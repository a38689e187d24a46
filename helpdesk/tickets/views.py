"""Ticket pages: open from a keyword, the ticket page and its actions, requester lists, agent queues, pilot views."""

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from helpdesk import policy
from helpdesk.platform.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from helpdesk.platform.extensions import db
from helpdesk.platform.prefill import read_prefill
from helpdesk.platform.timeutil import utcnow
from helpdesk.policy import Action
from helpdesk.routing.codes import SERVICE_LABELS, TIER_LABELS, Tier
from helpdesk.routing.models import Keyword
from helpdesk.routing.suggest import suggest_keywords
from helpdesk.tickets import attachments as files
from helpdesk.tickets import queries, services
from helpdesk.tickets.forms import EXTRA_PREFIX, extra_labels, extra_values, ticket_form_class
from helpdesk.tickets.models import Attachment
from helpdesk.tickets.states import STATUS_LABELS
from helpdesk.users.models import User

bp = Blueprint("tickets", __name__, url_prefix="/tickets")

EVENT_LABELS = {
    "created": "Création",
    "status_changed": "Changement de statut",
    "reopened": "Réouverture",
    "escalated": "Escalade",
    "sent_down": "Renvoi au niveau inférieur",
    "assigned": "Affectation",
    "keyword_changed": "Changement de mot-clé",
    "replied": "Réponse",
    "note": "Note interne",
    "attachment_added": "Pièce jointe",
    "type_changed": "Changement de type",
    "duplicate_marked": "Regroupement de doublon",
    "evolution_status": "Suivi éditeur",
}
TIER_ROLES = {"n1": "agent_n1", "edulab": "edulab", "pilote": "pilote", "editeur": "editeur"}


def _keywords_by_service(session):
    keywords = session.scalars(select(Keyword).where(Keyword.is_active.is_(True)).order_by(Keyword.service, Keyword.label))
    groups: dict[str, list[Keyword]] = {}
    for keyword in keywords:
        groups.setdefault(keyword.service, []).append(keyword)
    return sorted(groups.items(), key=lambda item: SERVICE_LABELS.get(item[0], item[0]))


def _find_keyword(session, value: str | None):
    if not value:
        return None
    return session.scalar(select(Keyword).where(Keyword.is_active.is_(True), (Keyword.slug == value) | (Keyword.label == value)))


def _read_files(form) -> list[tuple[str, bytes]]:
    """Uploaded files as (name, bytes); reading stops just past the limit so a huge file costs nothing."""
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    uploads = []
    for storage in request.files.getlist(form):
        if storage and storage.filename:
            uploads.append((storage.filename, storage.stream.read(limit + 1)))
    return uploads


@bp.route("/nouveau", methods=["GET", "POST"])
@login_required
def new():
    if not policy.can(current_user, Action.CREATE_TICKET):
        raise NotAllowed("Votre compte ne permet pas d'ouvrir de ticket.")
    session = db.session
    prefill = read_prefill(current_app.config["SECRET_KEY"], request.values.get("prefill"))
    keyword = _find_keyword(session, request.values.get("keyword") or (prefill or {}).get("keyword"))
    if keyword is None:
        status = 404 if request.values.get("keyword") else 200
        q = request.args.get("q", "").strip()
        return render_template(
            "tickets/choose_keyword.html",
            groups=_keywords_by_service(session),
            unknown=request.values.get("keyword"),
            q=q,
            suggestions=suggest_keywords(session, q) if q else [],
        ), status
    on_behalf = policy.can(current_user, Action.CREATE_TICKET_ON_BEHALF)
    form = ticket_form_class(keyword, on_behalf=on_behalf)()
    if request.method == "GET" and prefill:
        form.subject.data = form.subject.data or prefill.get("subject", "")
    error = None
    if form.validate_on_submit():
        try:
            ticket = _open_from_form(session, form, keyword, prefill, on_behalf)
        except DomainError as failure:
            session.rollback()
            error = failure.message
        else:
            session.commit()
            flash(f"Ticket {ticket.reference} créé, transmis à « {TIER_LABELS[Tier(ticket.tier)]} ».", "success")
            return redirect(url_for("tickets.detail", ref=ticket.reference))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "tickets/new.html",
        form=form,
        keyword=keyword,
        prefill=prefill,
        error=error,
        on_behalf=on_behalf,
        extra_names=[EXTRA_PREFIX + s["name"] for s in keyword.fields or [] if s.get("name")],
        files_lost=request.method == "POST"
        and bool(request.files.getlist("attachments"))
        and any(f.filename for f in request.files.getlist("attachments")),
    ), status


def _open_from_form(session, form, keyword, prefill, on_behalf):
    requester = current_user
    channel = "diagnostic" if prefill else "web"
    if on_behalf and form.requester_email.data:
        requester = session.scalar(select(User).where(User.email == form.requester_email.data.strip().lower()))
        if requester is None:
            raise NotFound("Aucun compte ne correspond au courriel du demandeur.")
        channel = form.channel.data
    extra = extra_values(form, keyword)
    if prefill:
        extra["diagnostic"] = {
            "tree": prefill.get("tree"),
            "run_id": prefill.get("run_id"),
            "outcome": prefill.get("outcome", ""),
            "answers": [list(pair)[:2] for pair in prefill.get("answers", [])][:50],
        }
    # The KB fragment sends "3,7,12" in one field; accept one id per field too.
    raw_ids = ",".join(request.form.getlist("suggested_article_ids")).split(",")
    suggested = [int(v) for v in raw_ids if v.strip().isdigit()][:10]
    if suggested:
        extra["suggested_articles"] = suggested
    uploads = _read_files("attachments")
    now = utcnow()
    ticket = services.open_ticket(
        session,
        actor=current_user,
        requester=requester,
        keyword=keyword,
        subject=form.subject.data,
        description=form.description.data,
        now=now,
        channel=channel,
        extra_fields=extra,
        contact_name=form.contact_name.data or "",
        contact_email=form.contact_email.data or "",
        contact_phone=form.contact_phone.data or "",
    )
    if uploads:
        files.add_attachments(
            session,
            ticket,
            uploads,
            actor=current_user,
            now=now,
            upload_dir=current_app.config["UPLOAD_DIR"],
            max_bytes=current_app.config["ATTACHMENT_MAX_BYTES"],
        )
    return ticket


def _tier_members(session, ticket):
    role = TIER_ROLES[ticket.tier]
    from helpdesk.users.models import UserRole

    users = session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id).where(UserRole.role == role).order_by(User.full_name).limit(200)
    )
    return [u for u in users if policy.can(u, Action.WORK_TICKET, ticket)]


def _render_detail(ticket, *, error=None, error_action=None, status=200):
    user = current_user
    internal = policy.can(user, Action.VIEW_INTERNAL, ticket)
    messages = [m for m in ticket.messages if internal or not m.is_internal]
    trail = [e for e in ticket.events if internal or not (e.kind == "note" or (e.data or {}).get("internal"))]
    attachments = [a for a in ticket.attachments if files.can_download(user, a)]
    extra = dict(ticket.extra_fields or {})
    labels = extra_labels(ticket.keyword)
    context = dict(
        ticket=ticket,
        messages=messages,
        trail=trail,
        attachments=attachments,
        internal=internal,
        diagnostic=extra.pop("diagnostic", None),
        suggested=extra.pop("suggested_articles", None),
        propagation_until=extra.pop("propagation_until", None),
        extra=[(labels.get(k, k), v) for k, v in extra.items()],
        can_work=policy.can(user, Action.WORK_TICKET, ticket),
        can_reply=policy.can(user, Action.REPLY_TICKET, ticket),
        can_escalate=policy.can(user, Action.ESCALATE_TICKET, ticket),
        can_send_down=policy.can(user, Action.SEND_DOWN_TICKET, ticket),
        can_rekey=policy.can(user, Action.CHANGE_KEYWORD, ticket),
        can_confirm=policy.can(user, Action.CONFIRM_RESOLUTION, ticket),
        can_evolution=policy.can(user, Action.SET_EVOLUTION_STATUS) and ticket.type in ("evolution", "bug"),
        members=_tier_members(db.session, ticket) if policy.can(user, Action.WORK_TICKET, ticket) else [],
        groups=_keywords_by_service(db.session) if policy.can(user, Action.CHANGE_KEYWORD, ticket) else [],
        status_labels=STATUS_LABELS,
        evolution_statuses=services.EVOLUTION_STATUSES,
        error=error,
        error_action=error_action,
        values=request.form if error else {},
        event_labels=EVENT_LABELS,
        event_value=_event_value,
    )
    return render_template("tickets/detail.html", **context), status


def _event_value(kind: str, value: str) -> str:
    if kind in ("status_changed", "reopened"):
        return STATUS_LABELS.get(value, value)
    if kind in ("created", "escalated", "sent_down"):
        return TIER_LABELS.get(value, value)
    if kind == "evolution_status":
        return services.EVOLUTION_STATUSES.get(value, value)
    return value


@bp.get("/<ref>")
@login_required
def detail(ref):
    return _render_detail(services.get_visible(db.session, ref, actor=current_user))


def _parse_date(raw: str | None):
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as error:
        raise ValidationFailed("La date indiquée est invalide.") from error


def _perform(session, ticket, action: str, form, *, now):
    actor, version, reason = current_user, form.get("version"), (form.get("reason") or "").strip()
    if action in ("reply", "note"):
        if version is not None:
            services.check_version(ticket, version)
        uploads = _read_files("files")
        message = services.add_message(
            session, ticket, actor=actor, body=form.get("body", ""), now=now, internal=action == "note"
        )
        if uploads:
            files.add_attachments(
                session,
                ticket,
                uploads,
                actor=actor,
                now=now,
                message=message,
                internal=action == "note",
                upload_dir=current_app.config["UPLOAD_DIR"],
                max_bytes=current_app.config["ATTACHMENT_MAX_BYTES"],
            )
        return "Message ajouté." if action == "reply" else "Note interne ajoutée."
    if action == "files":
        services.check_version(ticket, version)
        uploads = _read_files("files")
        if not uploads:
            raise ValidationFailed("Choisissez au moins un fichier.")
        files.add_attachments(
            session,
            ticket,
            uploads,
            actor=actor,
            now=now,
            upload_dir=current_app.config["UPLOAD_DIR"],
            max_bytes=current_app.config["ATTACHMENT_MAX_BYTES"],
        )
        return "Fichiers ajoutés."
    if action == "take":
        services.change_status(session, ticket, "taken", actor=actor, now=now, expected_version=version)
        return "Ticket pris en charge."
    if action == "assign":
        assignee_id = form.get("assignee_id")
        assignee = session.get(User, int(assignee_id)) if assignee_id and assignee_id.isdigit() else None
        services.assign(session, ticket, assignee, actor=actor, now=now, expected_version=version)
        return "Affectation enregistrée."
    if action in services.WAIT_TARGETS:
        until = _parse_date(form.get("until")) if action == "wait_propagation" else None
        services.wait_for(
            session,
            ticket,
            services.WAIT_TARGETS[action],
            actor=actor,
            now=now,
            reason=reason,
            until=until,
            expected_version=version,
        )
        return "Ticket mis en attente."
    if action == "resolve":
        services.change_status(session, ticket, "resolved", actor=actor, now=now, reason=reason, expected_version=version)
        return "Ticket résolu."
    if action == "escalate":
        services.escalate(
            session,
            ticket,
            actor=actor,
            reason=reason,
            now=now,
            expected_version=version,
            as_bug=form.get("as_bug") == "1",
            vendor_reference=(form.get("vendor_reference") or "").strip(),
        )
        return f"Ticket transmis à « {TIER_LABELS[Tier(ticket.tier)]} »."
    if action == "send_down":
        services.send_down(session, ticket, actor=actor, reason=reason, now=now, expected_version=version)
        return f"Ticket renvoyé à « {TIER_LABELS[Tier(ticket.tier)]} »."
    if action == "change_keyword":
        keyword = _find_keyword(session, form.get("keyword"))
        if keyword is None:
            raise ValidationFailed("Choisissez un mot-clé dans la liste.")
        services.change_keyword(session, ticket, keyword, actor=actor, reason=reason, now=now, expected_version=version)
        return "Mot-clé modifié."
    if action == "confirm":
        services.check_version(ticket, version)
        services.confirm_resolution(session, ticket, actor=actor, now=now, reason=reason)
        return "Merci : le ticket est clos."
    if action == "reopen":
        services.check_version(ticket, version)
        services.reopen(session, ticket, actor=actor, now=now, reason=reason)
        return "Ticket rouvert."
    if action == "evolution_status":
        services.set_evolution_status(
            session, ticket, form.get("evolution_status", ""), actor=actor, now=now, expected_version=version
        )
        return "État de l'évolution enregistré."
    if action == "duplicate":
        raw = (form.get("duplicate_of") or "").strip().upper()
        original = services.get_visible(session, raw, actor=actor) if raw else None
        services.mark_duplicate(session, ticket, original, actor=actor, now=now, expected_version=version)
        return "Doublon enregistré."
    abort(404)


@bp.post("/<ref>/actions/<action>")
@login_required
def act(ref, action):
    session = db.session
    ticket = services.get_visible(session, ref, actor=current_user)
    try:
        message = _perform(session, ticket, action, request.form, now=utcnow())
        session.commit()
    except StaleDataError:
        session.rollback()
        ticket = services.get_visible(session, ref, actor=current_user)
        return _render_detail(ticket, error=_CONFLICT, error_action=action, status=409)
    except DomainError as failure:
        session.rollback()
        ticket = services.get_visible(session, ref, actor=current_user)
        return _render_detail(ticket, error=failure.message, error_action=action, status=failure.status)
    flash(message, "success")
    return redirect(url_for("tickets.detail", ref=ticket.reference))


_CONFLICT = (
    "Ce ticket a été modifié par quelqu'un d'autre pendant que vous le consultiez. "
    "Voici son état à jour : vérifiez-le puis refaites votre action."
)


@bp.get("/<ref>/pieces-jointes/<int:attachment_id>")
@login_required
def attachment(ref, attachment_id):
    found = db.session.get(Attachment, attachment_id)
    if found is None or found.ticket.reference != ref or not files.can_download(current_user, found):
        raise NotFound("Ce fichier n'existe pas ou vous n'y avez pas accès.")
    path = files.stored_path(current_app.config["UPLOAD_DIR"], found)
    if not path.exists():
        raise NotFound("Ce fichier n'est plus disponible.")
    response = send_file(path, mimetype=found.content_type, as_attachment=True, download_name=found.original_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/mes-tickets")
@login_required
def mine():
    rows, cursor = queries.recent_for(db.session, current_user, school_wide=False, cursor=request.args.get("apres"))
    return render_template(
        "tickets/list.html", tickets=rows, cursor=cursor, title="Mes tickets", school_link=policy.is_head_of_school(current_user)
    )


@bp.get("/mon-etablissement")
@login_required
def school():
    if not policy.is_head_of_school(current_user):
        raise NotAllowed("Cette liste est réservée à la direction et aux administrateurs ENT de l'établissement.")
    rows, cursor = queries.recent_for(db.session, current_user, school_wide=True, cursor=request.args.get("apres"))
    return render_template(
        "tickets/list.html",
        tickets=rows,
        cursor=cursor,
        school_link=False,
        title=f"Tickets de mon établissement — {current_user.school.name}",
    )


def _int(raw):
    return int(raw) if raw and raw.isdigit() else None


@bp.get("/file")
@login_required
def queue():
    if not policy.can(current_user, Action.VIEW_QUEUE):
        raise NotAllowed("Les files de tickets sont réservées aux agents.")
    tiers = queries.queue_tiers(current_user)
    args = request.args
    tier = args.get("niveau") if args.get("niveau") in tiers else (tiers[0] if tiers else None)
    filters = queries.Filters(
        tier=tier,
        service=args.get("service") or None,
        keyword=args.get("mot_cle") or None,
        status=args.get("statut") or "open",
        school=args.get("uai") or None,
        basin=_int(args.get("bassin")),
        min_age_days=_int(args.get("age")),
        q=args.get("q") or None,
    )
    stmt = queries.filtered(db.session, current_user, filters, now=utcnow())
    rows, cursor = queries.page(db.session, stmt, cursor=args.get("apres"))
    count, capped = queries.capped_count(db.session, stmt)
    from helpdesk.organisation.models import Basin

    basins = db.session.scalars(select(Basin).order_by(Basin.name)).all()
    if "edulab" in current_user.roles and not policy.can(current_user, Action.VIEW_DASHBOARD):
        basins = [b for b in basins if b.id in current_user.basin_ids]
    next_url = url_for("tickets.queue", **{**args.to_dict(), "niveau": tier, "apres": cursor}) if cursor else None
    return render_template(
        "tickets/queue.html",
        tickets=rows,
        next_url=next_url,
        count=count,
        capped=capped,
        tiers=tiers,
        filters=filters,
        basins=basins,
        services=SERVICE_LABELS,
        status_labels=STATUS_LABELS,
        groups=_keywords_by_service(db.session),
        args=args,
    )


@bp.get("/evolutions")
@login_required
def evolutions():
    if not policy.can(current_user, Action.VIEW_EVOLUTIONS):
        raise NotAllowed("Cette vue est réservée à l'équipe pilote et à l'éditeur.")
    groups, bugs = queries.evolutions(db.session, current_user)
    return render_template("tickets/evolutions.html", groups=groups, bugs=bugs, evolution_statuses=services.EVOLUTION_STATUSES)
