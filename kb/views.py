"""FAQ pages (public), ticket-form suggestions and deflection, the agents' link picker, and the editors' screens."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask import session as web_session
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from helpdesk import policy
from helpdesk.platform.errors import DomainError, NotAllowed, NotFound, translate
from helpdesk.platform.extensions import db
from helpdesk.platform.i18n import N_
from helpdesk.platform.markup import render_markdown
from helpdesk.platform.timeutil import utcnow
from helpdesk.routing.codes import SERVICE_LABELS
from kb import feedback as feedback_services
from kb import glossary as glossary_services
from kb import review, services
from kb.diagnostics import services as diagnostic_services
from kb.forms import ArticleForm
from kb.models import AUDIENCE_LABELS, REVIEW_STATE_LABELS, STATUS_LABELS, Article, ArticleStatus, GlossaryTerm

bp = Blueprint("kb", __name__, template_folder="templates")

PAGE_SIZE = 20


@bp.context_processor
def _labels():
    return {
        "audience_labels": {k.value: _(v) for k, v in AUDIENCE_LABELS.items()},
        "article_status_labels": {k.value: _(v) for k, v in STATUS_LABELS.items()},
        "review_state_labels": {k.value: _(v) for k, v in REVIEW_STATE_LABELS.items()},
    }


@bp.app_context_processor
def _kb_helpers():
    """kb_articles_by_ids("1,2,3"): for the ticket page's `{% include "kb/_article_links.html" %}`."""
    return {"kb_articles_by_ids": lambda ids: services.articles_by_ids(db.session, ids or [], actor=current_user)}


def _require_editor():
    if not policy.can(current_user, policy.Action.EDIT_KB):
        raise NotAllowed(N_("Seuls les pilotes et les référents EduLAB peuvent modifier la FAQ."))


@bp.get("/faq")
def faq():
    query = request.args.get("q", "").strip()
    service = request.args.get("service") or None
    if service not in {s.value for s in SERVICE_LABELS}:
        service = None
    outcome = services.search(db.session, query, actor=current_user, service=service, limit=PAGE_SIZE) if query else None
    listing = services.visible_articles(db.session, actor=current_user, service=service) if service and not query else []
    counts = dict(
        db.session.execute(
            select(Article.service, func.count())
            .where(
                Article.status == ArticleStatus.PUBLISHED,
                Article.audience.in_(sorted(policy.visible_article_audiences(current_user))),
            )
            .group_by(Article.service)
        ).all()
    )
    return render_template(
        "kb/faq.html",
        query=query,
        service=service,
        outcome=outcome,
        listing=listing,
        counts=counts,
        popular=services.most_useful(db.session, actor=current_user),
        proposal=diagnostic_services.diagnostic_for_text(db.session, query) if query else None,
    )


@bp.get("/faq/<slug>")
def article(slug: str):
    found = services.get_visible_article(db.session, slug, actor=current_user)
    if found.is_published:
        services.record_view(db.session, found)
    vote = (web_session.get("kb_vote_answers") or {}).get(str(found.id))
    # Rendered before the commit that counts the view: a commit first expired the article and the signed-in person,
    # and the page loaded both again (two statements). Without autoflush, the count's UPDATE waits for the commit:
    # the article's row is not locked while the page renders. A failed commit still answers an error page.
    with db.session.no_autoflush:
        page = render_template(
            "kb/article.html",
            article=found,
            body=services.render_article(db.session, found, url_for("kb.glossary")),
            related=services.related_articles(db.session, found, actor=current_user),
            diagnostics=diagnostic_services.trees_for_facts(db.session, services.article_facts(db.session, found)),
            voted=found.id in web_session.get("kb_votes", []),
            ask_what_was_missing=vote == "non" and str(found.id) not in (web_session.get("kb_feedback_given") or []),
        )
    db.session.commit()
    return page


@bp.post("/faq/<slug>/vote")
def vote(slug: str):
    found = services.get_visible_article(db.session, slug, actor=current_user)
    answer = request.form.get("helpful")
    if answer not in {"oui", "non"}:
        flash(_("Choisissez « Oui » ou « Non »."), "error")
        return redirect(url_for("kb.article", slug=slug))
    voted = web_session.get("kb_votes", [])
    if found.id not in voted:  # one vote per article and browser session
        services.vote(db.session, found, helpful=answer == "oui", actor=current_user, now=utcnow())
        db.session.commit()
        web_session["kb_votes"] = [*voted, found.id][-200:]
        answers = dict(web_session.get("kb_vote_answers") or {})
        answers[str(found.id)] = answer
        web_session["kb_vote_answers"] = dict(list(answers.items())[-50:])
    if answer == "oui":
        flash(_("Merci pour votre avis."), "success")
    return redirect(url_for("kb.article", slug=slug) + "#avis")


@bp.post("/faq/<slug>/remarque")
def feedback(slug: str):
    """After « Non »: what was missing (optional); stored for the editors."""
    found = services.get_visible_article(db.session, slug, actor=current_user)
    if (web_session.get("kb_vote_answers") or {}).get(str(found.id)) != "non":
        return redirect(url_for("kb.article", slug=slug) + "#avis")
    comment = request.form.get("comment", "")
    try:
        feedback_services.record_feedback(db.session, found, comment, actor=current_user, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.text(), "error")
        return render_template(
            "kb/article.html",
            article=found,
            body=services.render_article(db.session, found, url_for("kb.glossary")),
            related=services.related_articles(db.session, found, actor=current_user),
            diagnostics=diagnostic_services.trees_for_facts(db.session, services.article_facts(db.session, found)),
            voted=True,
            ask_what_was_missing=True,
            feedback_text=comment,
        ), 400
    db.session.commit()
    web_session["kb_feedback_given"] = [*(web_session.get("kb_feedback_given") or []), str(found.id)][-50:]
    flash(
        _("Merci : votre remarque aidera à compléter cette réponse.") if comment.strip() else _("Merci pour votre avis."),
        "success",
    )
    return redirect(url_for("kb.article", slug=slug) + "#avis")


@bp.get("/glossaire")
def glossary():
    """The whole glossary, or the terms matching ?q= (a plain GET form; app.js filters as one types)."""
    query = request.args.get("q", "").strip()[:100]
    all_terms = sorted(db.session.scalars(select(GlossaryTerm)), key=lambda t: services.sort_key(t.term))
    terms = [t for t in all_terms if glossary_services.matches(t, query)] if query else all_terms
    letters: dict[str, list[GlossaryTerm]] = {}
    for term in terms:
        initial = services.sort_key(term.term)[:1].upper()
        letters.setdefault(initial if initial.isalpha() else "#", []).append(term)
    anchors = {services.sort_key(t.term): t.anchor for t in all_terms}
    return render_template(
        "kb/glossary.html", letters=letters, anchors=anchors, query=query, total=len(all_terms), shown=len(terms)
    )


@bp.get("/faq/suggestions")
def suggestions():
    """Fragment beside the ticket description: the three best articles for what is being typed."""
    text = request.args.get("q") or request.args.get("description") or ""
    keyword = (request.args.get("keyword") or "").strip()[:140]
    hits = []
    if len(text.strip()) >= 3:
        hits = services.search(db.session, text, actor=current_user, limit=3, kinds=("faq",)).hits
    return render_template("kb/_suggestions.html", hits=hits, keyword=keyword)


@bp.post("/faq/<slug>/resolu")
def deflect(slug: str):
    found = services.get_visible_article(db.session, slug, actor=current_user)
    services.record_deflection(db.session, found, keyword_slug=request.form.get("keyword"), actor=current_user, now=utcnow())
    db.session.commit()
    target = url_for("kb.deflected", slug=found.slug)
    if request.headers.get("HX-Request"):  # from the suggestions beside the ticket form: leave the form page
        return "", 204, {"HX-Redirect": target}
    return redirect(target)


@bp.get("/faq/merci")
def deflected():
    found = None
    if request.args.get("slug"):
        try:  # only an article the reader may read: never the title of a draft or of an agents-only note
            found = services.get_visible_article(db.session, request.args["slug"][:200], actor=current_user)
        except NotFound:
            found = None
    return render_template("kb/deflected.html", article=found)


@bp.get("/faq/picker")
def picker():
    """Fragment for agents writing a reply: articles with a one-click 'insert the link' button."""
    text = request.args.get("q", "")
    hits = services.search(db.session, text, actor=current_user, limit=8, kinds=("faq",)).hits if text.strip() else []
    return render_template("kb/_picker.html", hits=hits, query=text)


# -- editors -------------------------------------------------------------------------------------------------


@bp.get("/faq/gestion")
def manage():
    _require_editor()
    articles = db.session.scalars(select(Article).order_by(Article.status, Article.title))
    can_review = policy.can(current_user, policy.Action.PUBLISH_KB)
    return render_template(
        "kb/manage.html",
        articles=list(articles),
        feedback_counts=feedback_services.feedback_counts(db.session),
        pending=review.pending(db.session, actor=current_user) if can_review else [],
        my_proposals=review.proposals_by(db.session, actor=current_user),
    )


def _editor_form(article: Article | None):
    # An EduLAB referent continues the proposal waiting beside a published article rather than restarting from it.
    waiting = review.pending_for(db.session, article) if article is not None else []
    draft = waiting[0] if waiting and services.must_propose(current_user, article) else None
    form = ArticleForm(obj=draft or article)
    if request.method == "GET" and article is not None:
        form.tags.data = ", ".join((draft or article).tags or [])
    preview = None
    if request.method == "POST" and form.validate_on_submit():
        if request.form.get("action") == "preview":
            preview = render_markdown(form.body_md.data)
        else:
            try:
                if services.must_propose(current_user, article):
                    review.propose(
                        db.session,
                        article,
                        title=form.title.data,
                        body_md=form.body_md.data,
                        service=form.service.data,
                        audience=form.audience.data,
                        tags=form.tag_list(),
                        admin_path=form.admin_path.data or "",
                        comment=form.comment.data or "",
                        actor=current_user,
                        now=utcnow(),
                    )
                    db.session.commit()
                    flash(_("Proposition enregistrée : elle sera publiée après l'approbation d'un pilote."), "success")
                    return redirect(url_for("kb.edit", slug=article.slug))
                saved = services.save_article(
                    db.session,
                    article,
                    title=form.title.data,
                    body_md=form.body_md.data,
                    service=form.service.data,
                    audience=form.audience.data,
                    tags=form.tag_list(),
                    admin_path=form.admin_path.data or "",
                    comment=form.comment.data or "",
                    actor=current_user,
                    now=utcnow(),
                )
            except DomainError as error:
                db.session.rollback()
                for name, message in error.details.get("fields", {}).items():
                    getattr(form, name).errors = [*getattr(form, name).errors, translate(message)]
                flash(error.text(), "error")
            else:
                db.session.commit()
                flash(_("Article enregistré."), "success")
                return redirect(url_for("kb.edit", slug=saved.slug))
    status = 400 if request.method == "POST" and form.errors else 200
    context = {
        "must_propose": services.must_propose(current_user, article),
        "waiting": waiting,
        "draft": draft,
        "feedback": feedback_services.feedback_for(db.session, article, actor=current_user) if article is not None else [],
        "my_proposals": [
            p for p in review.proposals_by(db.session, actor=current_user) if article and p.article_id == article.id
        ][:5],
    }
    return render_template("kb/edit.html", form=form, article=article, preview=preview, **context), status


@bp.route("/faq/gestion/nouveau", methods=["GET", "POST"])
def new():
    _require_editor()
    return _editor_form(None)


@bp.route("/faq/<slug>/modifier", methods=["GET", "POST"])
def edit(slug: str):
    _require_editor()
    return _editor_form(services.get_visible_article(db.session, slug, actor=current_user))


@bp.post("/faq/<slug>/statut")
def set_status(slug: str):
    _require_editor()
    found = services.get_visible_article(db.session, slug, actor=current_user)
    if request.form.get("status") == "published" and not policy.can(current_user, policy.Action.PUBLISH_KB):
        review.ask_publication(db.session, found, actor=current_user, now=utcnow())
        db.session.commit()
        flash(_("Demande de publication envoyée : un pilote la validera."), "success")
        return redirect(url_for("kb.edit", slug=found.slug))
    services.set_status(db.session, found, request.form.get("status", ""), actor=current_user, now=utcnow())
    db.session.commit()
    done = {
        "published": N_("Article publié : il apparaît dès maintenant dans la recherche."),
        "archived": N_("Article archivé : il n'apparaît plus dans la FAQ."),
        "draft": N_("Article repassé en brouillon."),
    }
    flash(_(done[found.status]), "success")
    return redirect(url_for("kb.edit", slug=found.slug))


@bp.get("/faq/<slug>/historique")
def history(slug: str):
    _require_editor()
    found = services.get_visible_article(db.session, slug, actor=current_user)
    # Oldest first, so each diff reads against the previous one; proposals live on their own page.
    revisions = [rev for rev in reversed(found.revisions) if rev.review_state is None]
    entries = [(rev, services.revision_diff(revisions[i - 1] if i else None, rev)) for i, rev in enumerate(revisions)]
    return render_template("kb/history.html", article=found, entries=list(reversed(entries)))
