"""Ticket pages: open from a keyword, the ticket page and its actions, requester lists, agent queues, pilot views."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from helpdesk import policy
from helpdesk.platform.errors import DomainError, NotAllowed, NotFound
from helpdesk.platform.extensions import db
from helpdesk.platform.i18n import N_
from helpdesk.platform.input import INT64_MAX, int_arg
from helpdesk.platform.prefill import read_prefill
from helpdesk.platform.schemas import from_form, parse
from helpdesk.platform.timeutil import utcnow
from helpdesk.policy import Action
from helpdesk.routing.codes import SERVICE_LABELS, Tier
from helpdesk.routing.models import Keyword
from helpdesk.routing.suggest import suggest_keywords
from helpdesk.tickets import actions, queries, services, timeline
from helpdesk.tickets import attachments as files
from helpdesk.tickets.audiences import MESSAGE_KIND_LABELS
from helpdesk.tickets.forms import EXTRA_PREFIX, extra_labels, extra_values, fill_from_typed, ticket_form_class
from helpdesk.tickets.models import Attachment
from helpdesk.tickets.states import STATUS_LABELS, WAIT_DAYS
from helpdesk.users.models import User

bp = Blueprint("tickets", __name__, url_prefix="/tickets")
TYPED_MAX = 500  # the problem typed in step 1, as long as the keyword suggester reads it


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
    chosen = [storage for storage in request.files.getlist(form) if storage and storage.filename]
    files.check_count(len(chosen), files.MAX_FILES)  # before reading any: ValidationFailed, the form is kept
    return [(storage.filename, storage.stream.read(limit + 1)) for storage in chosen]


@bp.route("/nouveau", methods=["GET", "POST"])
@login_required
def new():
    if not policy.can(current_user, Action.CREATE_TICKET):
        raise NotAllowed(N_("Votre compte ne permet pas d'ouvrir de ticket."))
    session = db.session
    prefill = read_prefill(current_app.config["SECRET_KEY"], request.values.get("prefill"))
    keyword = _find_keyword(session, request.values.get("keyword") or (prefill or {}).get("keyword"))
    if keyword is None:
        status = 404 if request.values.get("keyword") else 200
        q = request.args.get("q", "").strip()[:TYPED_MAX]
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
        _apply_prefill(form, keyword, prefill)
    elif request.method == "GET":
        fill_from_typed(form, request.args.get("q", "")[:TYPED_MAX])
    error = None
    if form.validate_on_submit():
        try:
            ticket = _open_from_form(session, form, keyword, prefill, on_behalf)
        except DomainError as failure:
            session.rollback()
            error = failure.text()
        else:
            session.commit()
            state = _(timeline.status_label_for(ticket, current_user))
            flash(_("Demande %(ref)s enregistrée. État : %(state)s.", ref=ticket.reference, state=state), "success")
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
        max_files=files.MAX_FILES,
        files_lost=request.method == "POST"
        and bool(request.files.getlist("attachments"))
        and any(f.filename for f in request.files.getlist("attachments")),
    ), status


def _apply_prefill(form, keyword, prefill: dict) -> None:
    """A diagnostic's pre-fill: subject, description and the extra fields its answers settle (editable, never forced)."""
    form.subject.data = form.subject.data or str(prefill.get("subject", ""))[:200]
    form.description.data = form.description.data or str(prefill.get("description", ""))[:20000]
    values = prefill.get("fields") if isinstance(prefill.get("fields"), dict) else {}
    for spec in keyword.fields or []:
        name = EXTRA_PREFIX + spec.get("name", "")
        value = values.get(spec.get("name"))
        if name not in form or not isinstance(value, str) or form[name].data not in (None, ""):
            continue
        if spec.get("type") == "choice" and value not in [str(c) for c in spec.get("choices") or []]:
            continue
        if spec.get("type", "text") in ("text", "choice"):
            form[name].data = value


def _open_from_form(session, form, keyword, prefill, on_behalf):
    requester = current_user
    channel = "diagnostic" if prefill else "web"
    if on_behalf and form.requester_email.data:
        requester = session.scalar(select(User).where(User.email == form.requester_email.data.strip().lower()))
        if requester is None:
            raise NotFound(N_("Aucun compte ne correspond au courriel du demandeur."))
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
        prefill=prefill,
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
    from helpdesk.users.models import UserRole

    role = policy.TIER_ROLE[Tier(ticket.tier)]
    users = session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id).where(UserRole.role == role).order_by(User.full_name).limit(200)
    )
    return [u for u in users if policy.can(u, Action.WORK_TICKET, ticket)]


def _render_detail(ticket, *, error=None, error_action=None, status=200):
    user = current_user
    view = timeline.reader_view(ticket, user)
    names = actions.available(ticket, user)
    extra = dict(ticket.extra_fields or {}) if not view.is_vendor else {}
    labels = extra_labels(ticket.keyword)
    linked = [e for e in ticket.events if e.kind == "incident_linked" and (e.data or {}).get("incident_id") == ticket.incident_id]
    context = dict(
        ticket=ticket,
        view=view,
        incident_title=linked[-1].to_value if ticket.incident_id and linked else None,
        can_declare_incident=ticket.is_open and not ticket.incident_id and policy.can(user, Action.MANAGE_MAJOR_INCIDENTS),
        available=set(names),
        diagnostic=extra.pop("diagnostic", None),
        suggested=extra.pop("suggested_articles", None),
        extra=[(labels.get(k, k), v) for k, v in extra.items()],
        members=_tier_members(db.session, ticket) if "assign" in names else [],
        groups=_keywords_by_service(db.session) if "change_keyword" in names else [],
        evolution_statuses=services.EVOLUTION_STATUSES,
        channel_labels=services.CHANNEL_LABELS,
        audience_labels=timeline.AUDIENCE_LABELS,
        kind_labels=MESSAGE_KIND_LABELS,
        value_label=timeline.value_label,
        error=error,
        error_action=error_action,
        values=request.form if error else {},
        wait_days=WAIT_DAYS,
    )
    return render_template("tickets/detail.html", **context), status


@bp.get("/<ref>")
@login_required
def detail(ref):
    return _render_detail(services.get_visible(db.session, ref, actor=current_user))


def _context() -> actions.Context:
    config = current_app.config
    return actions.Context(
        uploads=_read_files("files"), upload_dir=config["UPLOAD_DIR"], max_bytes=config["ATTACHMENT_MAX_BYTES"]
    )


@bp.post("/<ref>/actions/<name>")
@login_required
def act(ref, name):
    session = db.session
    ticket = services.get_visible(session, ref, actor=current_user)
    action = actions.ACTIONS.get(name)
    if action is None:
        raise NotFound(N_("Cette action n'existe pas."))
    try:
        data = parse(action.model, from_form(action.model, request.form))
        done = actions.perform(session, ticket, name, data, actor=current_user, now=utcnow(), context=_context())
        session.commit()
    except StaleDataError:
        session.rollback()
        ticket = services.get_visible(session, ref, actor=current_user)
        return _render_detail(ticket, error=_(CONFLICT), error_action=name, status=409)
    except DomainError as failure:
        session.rollback()
        ticket = services.get_visible(session, ref, actor=current_user)
        return _render_detail(ticket, error=failure.text(), error_action=name, status=failure.status)
    flash(_(done), "success")
    return redirect(url_for("tickets.detail", ref=ticket.reference))


CONFLICT = N_(
    "Ce ticket a été modifié par quelqu'un d'autre pendant que vous le consultiez. "
    "Voici son état à jour : vérifiez-le puis refaites votre action."
)


@bp.get(f"/<ref>/pieces-jointes/<int(max={INT64_MAX}):attachment_id>")
@login_required
def attachment(ref, attachment_id):
    found = db.session.get(Attachment, attachment_id)
    if found is None or found.ticket.reference != ref or not files.can_download(current_user, found):
        raise NotFound(N_("Ce fichier n'existe pas ou vous n'y avez pas accès."))
    path = files.stored_path(current_app.config["UPLOAD_DIR"], found)
    if not path.exists():
        raise NotFound(N_("Ce fichier n'est plus disponible."))
    response = send_file(path, mimetype=found.content_type, as_attachment=True, download_name=found.original_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/mes-tickets")
@login_required
def mine():
    rows, cursor = queries.recent_for(db.session, current_user, school_wide=False, cursor=request.args.get("apres"))
    return render_template(
        "tickets/list.html",
        tickets=rows,
        cursor=cursor,
        title=_("Mes tickets"),
        school_link=policy.is_head_of_school(current_user),
    )


@bp.get("/mon-etablissement")
@login_required
def school():
    if not policy.is_head_of_school(current_user):
        raise NotAllowed(N_("Cette liste est réservée à la direction et aux administrateurs ENT de l'établissement."))
    rows, cursor = queries.recent_for(db.session, current_user, school_wide=True, cursor=request.args.get("apres"))
    return render_template(
        "tickets/list.html",
        tickets=rows,
        cursor=cursor,
        school_link=False,
        title=_("Tickets de mon établissement — %(school)s", school=current_user.school.name),
    )


@bp.get("/file")
@login_required
def queue():
    if not policy.can(current_user, Action.VIEW_QUEUE):
        raise NotAllowed(N_("Les files de tickets sont réservées aux agents."))
    tiers = policy.queue_tiers(current_user)
    args = request.args
    tier = args.get("niveau") if args.get("niveau") in tiers else (tiers[0] if tiers else None)
    status = args.get("statut") or queries.PHASE_NEW
    filters = queries.Filters(
        tier=tier,
        service=args.get("service") or None,
        keyword=args.get("mot_cle") or None,
        status=status,
        school=args.get("uai") or None,
        basin=int_arg(args.get("bassin"), "bassin"),
        min_age_days=int_arg(args.get("age"), "age", high=queries.MAX_AGE_DAYS),
        q=args.get("q") or None,
    )
    session, now = db.session, utcnow()
    stmt = queries.filtered(session, current_user, filters, now=now)
    rows, cursor = queries.page(session, stmt, cursor=args.get("apres"))
    count, capped = queries.capped_count(session, stmt)
    tabs = queries.phase_counts(session, current_user, filters, now=now)
    from helpdesk.organisation.models import Basin

    visible = policy.visible_basin_ids(current_user)
    basins = [b for b in session.scalars(select(Basin).order_by(Basin.name)) if visible is None or b.id in visible]
    next_url = url_for("tickets.queue", **{**args.to_dict(), "niveau": tier, "apres": cursor}) if cursor else None
    return render_template(
        "tickets/queue.html",
        tickets=rows,
        next_url=next_url,
        count=count,
        capped=capped,
        tiers=tiers,
        tabs=tabs,
        filters=filters,
        basins=basins,
        services=SERVICE_LABELS,
        status_labels=STATUS_LABELS,
        phase_labels=queries.PHASE_LABELS,
        groups=_keywords_by_service(session),
        args=args,
    )


@bp.get("/evolutions")
@login_required
def evolutions():
    if not policy.can(current_user, Action.VIEW_EVOLUTIONS):
        raise NotAllowed(N_("Cette vue est réservée à l'équipe pilote et à l'éditeur."))
    groups, bugs = queries.evolutions(db.session, current_user)
    return render_template("tickets/evolutions.html", groups=groups, bugs=bugs, evolution_statuses=services.EVOLUTION_STATUSES)
