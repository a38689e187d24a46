"""Ticket pages: open from a keyword, the ticket page and its actions, requester lists, agent queues, pilot views."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from helpdesk import policy
from helpdesk.answers import services as answers
from helpdesk.platform.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from helpdesk.platform.extensions import db
from helpdesk.platform.i18n import N_
from helpdesk.platform.input import INT64_MAX, int_arg
from helpdesk.platform.prefill import read_prefill
from helpdesk.platform.schemas import from_form, parse
from helpdesk.platform.timeutil import utcnow
from helpdesk.policy import Action
from helpdesk.routing.codes import PRIORITY_LABELS, SERVICE_LABELS, Tier
from helpdesk.routing.models import Keyword
from helpdesk.routing.suggest import active_keyword, suggest_keywords
from helpdesk.tickets import actions, bulk, keyset, links, queries, saved_views, services, timeline, worktime
from helpdesk.tickets import attachments as files
from helpdesk.tickets.audiences import MESSAGE_KIND_LABELS
from helpdesk.tickets.channels import CHANNEL_LABELS
from helpdesk.tickets.forms import EXTRA_PREFIX, extra_labels, extra_values, fill_from_typed, ticket_form_class
from helpdesk.tickets.models import Attachment
from helpdesk.tickets.states import STATUS_LABELS, WAIT_DAYS
from helpdesk.users import services as users
from helpdesk.users.models import User

bp = Blueprint("tickets", __name__, url_prefix="/tickets")
TYPED_MAX = 500  # the problem typed in step 1, as long as the keyword suggester reads it


def _keywords_by_service(session):
    """The active keywords' (slug, label) rows per service, for the keyword lists; rows, not Keyword objects: the
    lists show two columns, and each object parsed its JSON synonyms and fields (the queue page shows them twice)."""
    keywords = session.execute(
        select(Keyword.service, Keyword.slug, Keyword.label)
        .where(Keyword.is_active.is_(True))
        .order_by(Keyword.service, Keyword.label)
    )
    groups: dict[str, list] = {}
    for keyword in keywords:
        groups.setdefault(keyword.service, []).append(keyword)
    return sorted(groups.items(), key=lambda item: SERVICE_LABELS.get(item[0], item[0]))


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
    keyword = active_keyword(session, request.values.get("keyword") or (prefill or {}).get("keyword"))
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
            # Read before the commit, which expires every loaded row: afterwards they would cost two SELECTs
            # (the ticket and the signed-in person) only to say what this request has just written.
            reference, state = ticket.reference, _(timeline.status_label_for(ticket, current_user))
            session.commit()
            flash(_("Demande %(ref)s enregistrée. État : %(state)s.", ref=reference, state=state), "success")
            return redirect(url_for("tickets.detail", ref=reference))
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
        requester = users.requester_for_call(session, actor=current_user, email=form.requester_email.data,
                                             caller_name=form.caller_name.data or "",
                                             caller_school=form.caller_school.data or "",
                                             phone=form.contact_phone.data or "")  # fmt: skip
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


def _render_detail(ticket, *, error=None, error_action=None, status=200, reply_text=""):
    user = current_user
    view = timeline.reader_view(ticket, user)
    names = actions.available(ticket, user)
    extra = dict(ticket.extra_fields or {}) if not view.is_vendor else {}
    labels = extra_labels(ticket.keyword)
    linked = [e for e in ticket.events if e.kind == "incident_linked" and (e.data or {}).get("incident_id") == ticket.incident_id]
    sees_time = worktime.readable(user, ticket)
    context = dict(
        time_totals=worktime.totals(db.session, ticket) if sees_time else None,
        time_by_message=worktime.by_message(db.session, ticket) if sees_time else {},
        records_time=policy.can(user, Action.RECORD_TIME_SPENT, ticket),
        canned=answers.for_ticket(db.session, ticket, actor=user) if "reply" in names else [],
        related=links.related(db.session, ticket, user) if view.is_agent else [],
        link_labels=links.KIND_LABELS,
        survivor_visible=ticket.merged_into is not None and policy.can_view_ticket(user, ticket.merged_into),
        open_incidents=_open_incidents() if "link" in names and policy.can(user, Action.MANAGE_MAJOR_INCIDENTS) else [],
        reply_text=reply_text,
        ticket=ticket,
        view=view,
        incident_title=linked[-1].to_value if ticket.incident_id and linked else None,
        can_declare_incident=ticket.is_open and not ticket.incident_id and policy.can(user, Action.MANAGE_MAJOR_INCIDENTS),
        available=set(names),
        diagnostic=extra.pop("diagnostic", None),
        suggested=extra.pop("suggested_articles", None),
        # The e-mail channel's own facts (helpdesk.mailchannel): shown with the keyword, not as form answers.
        mail_facts=extra.pop("mail", None),
        follows=extra.pop("follows", None),
        extra=[(labels.get(k, k), v) for k, v in extra.items()],
        members=_tier_members(db.session, ticket) if "assign" in names else [],
        groups=_keywords_by_service(db.session) if "change_keyword" in names else [],
        evolution_statuses=services.EVOLUTION_STATUSES,
        channel_labels=CHANNEL_LABELS,
        audience_labels=timeline.AUDIENCE_LABELS,
        kind_labels=MESSAGE_KIND_LABELS,
        value_label=timeline.value_label,
        error=error,
        error_action=error_action,
        values=request.form if error else {},
        wait_days=WAIT_DAYS,
    )
    return render_template("tickets/detail.html", **context), status


def _open_incidents():
    from helpdesk.incidents import services as incidents

    return incidents.open_incidents(db.session)


@bp.get("/<ref>")
@login_required
def detail(ref):
    ticket = services.get_visible(db.session, ref, actor=current_user, options=services.TICKET_PAGE_LOADS)
    chosen = int_arg(request.args.get("reponse_type"), "reponse_type")
    if chosen is None:
        return _render_detail(ticket)
    # Without JavaScript, choosing a canned reply re-renders the page with the reply box filled.
    try:
        text = _canned_text(ticket, chosen)
    except DomainError as failure:
        return _render_detail(ticket, error=failure.text(), error_action="reply", status=failure.status)
    return _render_detail(ticket, reply_text=text)


def _canned_text(ticket, reply_id: int) -> str:
    faq_base = current_app.config["PUBLIC_URL"].rstrip("/") + "/faq"
    return answers.expand_for(db.session, reply_id, ticket, actor=current_user, faq_base=faq_base)


@bp.get("/<ref>/reponse-type")
@login_required
def canned_reply(ref):
    """htmx: the reply box again, with the chosen canned reply added after what the agent already wrote."""
    ticket = services.get_visible(db.session, ref, actor=current_user)
    typed = (request.args.get("body") or "").rstrip()
    text = _canned_text(ticket, int_arg(request.args.get("reponse_type"), "reponse_type", low=1) or 0)
    return render_template("tickets/_reply_body.html", reply_text=f"{typed}\n\n{text}" if typed else text, is_agent=True)


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


def _queue_filters(args):
    """The queue's filters and sort as the URL gives them (refused with a French reason when malformed)."""
    tiers = policy.queue_tiers(current_user)
    tier = args.get("niveau") if args.get("niveau") in tiers else (tiers[0] if tiers else None)
    holder = args.get("porteur") if args.get("porteur") in queries.HOLDER_LABELS else None
    channel = args.get("canal") if args.get("canal") in CHANNEL_LABELS else None
    filters = queries.Filters(
        tier=tier,
        service=args.get("service") or None,
        keyword=args.get("mot_cle") or None,
        status=args.get("statut") or queries.PHASE_NEW,
        school=args.get("uai") or None,
        basin=int_arg(args.get("bassin"), "bassin"),
        min_age_days=int_arg(args.get("age"), "age", high=queries.MAX_AGE_DAYS),
        q=args.get("q") or None,
        holder=holder,
        is_overdue=args.get("retard") == "1",
        channel=channel,
    )
    return tiers, filters, keyset.Sort.parse(args.get("tri"), args.get("ordre"))


def _queue_url(args, **changes):
    """This queue page's URL with some parameters changed (None drops one); page cursors never carry over."""
    values = {k: v for k, v in args.to_dict().items() if k not in ("apres", "avant")}
    values.update(changes)
    return url_for("tickets.queue", **{k: v for k, v in values.items() if v not in (None, "")})


def _sort_links(args, sort):
    """Per column: (URL of its sort, aria-sort value or None); a click on the sorted column flips its direction."""
    links = {}
    for name, key in keyset.SORT_KEYS.items():
        if name == sort.key.name:
            flipped = keyset.DESC if sort.direction == keyset.ASC else keyset.ASC
            aria = "ascending" if sort.direction == keyset.ASC else "descending"
            links[name] = (_queue_url(args, tri=name, ordre=flipped), aria)
        else:
            links[name] = (_queue_url(args, tri=name, ordre=key.default), None)
    return links


def _tier_people(session, tier):
    """(id, full name) of the people who may hold tickets of this tier (the bulk « assign » list): rows, not up to
    200 User objects."""
    from helpdesk.users.models import UserRole

    if tier is None:
        return []
    role = policy.TIER_ROLE[Tier(tier)]
    return list(session.execute(select(User.id, User.full_name).join(UserRole, UserRole.user_id == User.id).where(UserRole.role == role)
                                .where(User.is_active_account.is_(True)).order_by(User.full_name).limit(200)))  # fmt: skip


def _render_queue(args, *, outcomes=None, bulk_error=None, view_error=None, values=None, status=200):
    from helpdesk.incidents import services as incidents
    from helpdesk.organisation.models import Basin

    if not policy.can(current_user, Action.VIEW_QUEUE):
        raise NotAllowed(N_("Les files de tickets sont réservées aux agents."))
    tiers, filters, sort = _queue_filters(args)
    session, now = db.session, utcnow()
    stmt = queries.filtered(session, current_user, filters, now=now)
    rows = stmt.options(*queries.QUEUE_ROW_LOADS)
    found = keyset.page(session, rows, sort, after=args.get("apres"), before=args.get("avant"), limit=queries.PAGE_SIZE)
    tabs = queries.phase_counts(session, current_user, filters, now=now)
    counted = {phase: (n, more) for phase, n, more in tabs}  # a tab's count is the queue's when a tab is chosen
    count, capped = counted.get(filters.status) or queries.capped_count(session, stmt)
    visible = policy.visible_basin_ids(current_user)
    operations = bulk.operations_for(current_user)
    return render_template(
        "tickets/queue.html",
        tickets=found.tickets,
        next_url=_queue_url(args, apres=found.next_cursor) if found.next_cursor else None,
        previous_url=_queue_url(args, avant=found.previous_cursor) if found.previous_cursor else None,
        first_url=_queue_url(args) if args.get("apres") or args.get("avant") else None,
        count=count,
        capped=capped,
        tiers=tiers,
        tabs=tabs,
        filters=filters,
        sort=sort,
        sort_links=_sort_links(args, sort),
        sort_keys=keyset.SORT_KEYS,
        basins=[b for b in session.scalars(select(Basin).order_by(Basin.name)) if visible is None or b.id in visible],
        services=SERVICE_LABELS,
        status_labels=STATUS_LABELS,
        priority_labels=PRIORITY_LABELS,
        phase_labels=queries.PHASE_LABELS,
        holder_labels=queries.HOLDER_LABELS,
        channel_labels=CHANNEL_LABELS,
        groups=_keywords_by_service(session),
        args=args,
        query=saved_views.clean_query(request.query_string.decode("utf-8", "replace")),
        views=saved_views.list_views(session, actor=current_user),
        operations=operations,
        people=_tier_people(session, filters.tier) if "assign" in operations else [],
        incidents=incidents.open_incidents(session) if bulk.LINK_INCIDENT in operations else [],
        outcomes=outcomes,
        bulk_error=bulk_error,
        view_error=view_error,
        values=values or {},
    ), status


@bp.get("/file")
@login_required
def queue():
    return _render_queue(request.args)


@bp.post("/file/lot")
@login_required
def queue_bulk():
    """A bulk action on the ticked rows; the same queue page comes back with one line of result per ticket."""
    session, form = db.session, request.form
    name = form.get("action", "")
    try:
        selection = bulk.parse_selection(form.getlist("tickets"))
        if name not in bulk.OPERATIONS:
            raise ValidationFailed(N_("Choisissez l'action à appliquer."), field="action")
        outcomes = bulk.run(session, selection, name, form, actor=current_user, now=utcnow())
    except DomainError as failure:
        session.rollback()
        return _render_queue(request.args, bulk_error=failure.text(), values=form, status=failure.status)
    return _render_queue(request.args, outcomes=outcomes)


@bp.post("/file/vues")
@login_required
def save_queue_view():
    session = db.session
    try:
        view = saved_views.save_view(session, actor=current_user, name=request.form.get("name", ""),
                                     query=request.form.get("query", ""), now=utcnow())  # fmt: skip
    except DomainError as failure:
        session.rollback()
        return _render_queue(request.args, view_error=failure.text(), values=request.form, status=failure.status)
    session.commit()
    flash(_("Vue « %(name)s » enregistrée.", name=view.name), "success")
    return redirect(url_for("tickets.queue") + ("?" + view.query if view.query else ""))


@bp.post(f"/file/vues/<int(max={INT64_MAX}):view_id>/supprimer")
@login_required
def delete_queue_view(view_id):
    name = saved_views.delete_view(db.session, view_id, actor=current_user)
    db.session.commit()
    flash(_("Vue « %(name)s » supprimée.", name=name), "success")
    return redirect(url_for("tickets.queue", **request.args.to_dict()))


@bp.get("/evolutions")
@login_required
def evolutions():
    if not policy.can(current_user, Action.VIEW_EVOLUTIONS):
        raise NotAllowed(N_("Cette vue est réservée à l'équipe pilote et à l'éditeur."))
    groups, bugs = queries.evolutions(db.session, current_user)
    return render_template("tickets/evolutions.html", groups=groups, bugs=bugs, evolution_statuses=services.EVOLUTION_STATUSES)
