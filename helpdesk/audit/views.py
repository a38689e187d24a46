"""The configuration journal page (pilots and admins)."""

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user, login_required

from helpdesk.audit import display, services
from helpdesk.audit.tracked import ENTITIES
from helpdesk.platform.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/pilotage/journal", template_folder="templates")


@bp.get("/")
@login_required
def journal():
    args = request.args
    before = int(args["avant"]) if (args.get("avant") or "").isdigit() else None
    entity = args.get("objet") or None
    entries, next_id = services.journal(
        db.session,
        actor=current_user,
        entity=entity,
        entity_id=args.get("id") or None,
        who=args.get("q") or None,
        before_id=before,
    )
    next_url = url_for("audit.journal", **{**args.to_dict(), "avant": next_id}) if next_id else None
    return render_template(
        "audit/journal.html",
        entries=entries,
        rows=display.rows(db.session, entries),
        display=display,
        entities=ENTITIES,
        args=args,
        next_url=next_url,
    )
