"""Login, logout, password reset and the personal account page."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from helpdesk.platform.errors import ValidationFailed
from helpdesk.platform.extensions import db, limiter
from helpdesk.platform.mail import send_mail
from helpdesk.platform.security import is_safe_next
from helpdesk.platform.timeutil import utcnow
from helpdesk.users import services
from helpdesk.users.backends import authenticate
from helpdesk.users.forms import ApiTokenForm, LoginForm, ResetPasswordForm, ResetRequestForm
from helpdesk.users.models import ApiToken, User
from helpdesk.users.passwords import make_reset_token, read_reset_token, token_matches

bp = Blueprint("users", __name__)


def _login_account_key() -> str:
    return "login-account:" + (request.form.get("email") or "").strip().lower()


def _limit(name: str) -> str:
    return current_app.config[name]


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(lambda: _limit("LOGIN_LIMIT_PER_ADDRESS"), methods=["POST"])
@limiter.limit(lambda: _limit("LOGIN_LIMIT_PER_ACCOUNT"), key_func=_login_account_key, methods=["POST"])
def login():
    form = LoginForm()
    next_url = request.args.get("next") or request.form.get("next")
    if form.validate_on_submit():
        user = authenticate(db.session, {"email": form.email.data, "password": form.password.data})
        if user is not None:
            user.last_login_at = utcnow()
            db.session.commit()
            login_user(user)
            return redirect(next_url if is_safe_next(next_url) else url_for("web.home"))
        # One message whatever went wrong: no hint that the account exists.
        flash(_("Adresse électronique ou mot de passe incorrect."), "error")
        return render_template("users/login.html", form=form, next=next_url), 401
    return render_template("users/login.html", form=form, next=next_url), (400 if form.errors else 200)


@bp.post("/deconnexion")
@login_required
def logout():
    logout_user()
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("web.home"))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = services.find_by_email(db.session, form.email.data)
        if user is not None and user.is_active_account and user.auth_source == "local":
            token = make_reset_token(current_app.config["SECRET_KEY"], user.id, user.password_hash)
            link = current_app.config["PUBLIC_URL"].rstrip("/") + url_for("users.reset_password", token=token)
            body = render_template("mail/password_reset.txt", user=user, link=link)
            try:
                send_mail(current_app.config, user.email, _("Réinitialisation de votre mot de passe"), body)
            except OSError:
                current_app.logger.exception("password reset mail not sent")
        # Same answer whether or not the account exists.
        flash(_("Si un compte correspond à cette adresse, un lien de réinitialisation vient d'y être envoyé."), "info")
        return redirect(url_for("users.login"))
    return render_template("users/reset_request.html", form=form), (400 if form.errors else 200)


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    data = read_reset_token(current_app.config["SECRET_KEY"], token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    user = db.session.get(User, data["u"]) if data else None
    if user is None or not token_matches(data, user.password_hash):
        flash(_("Ce lien de réinitialisation n'est plus valable. Demandez-en un nouveau."), "error")
        return redirect(url_for("users.reset_request"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(db.session, user, form.password.data)
        except ValidationFailed as error:
            form.password.errors.append(error.message)
            return render_template("users/reset_password.html", form=form), 400
        db.session.commit()
        flash(_("Votre mot de passe a été modifié. Vous pouvez vous connecter."), "success")
        return redirect(url_for("users.login"))
    return render_template("users/reset_password.html", form=form), (400 if form.errors else 200)


@bp.route("/compte", methods=["GET", "POST"])
@login_required
def account():
    form = ApiTokenForm()
    new_token = None
    if form.validate_on_submit():
        new_token = services.issue_api_token(db.session, current_user, form.name.data)
        db.session.commit()
    tokens = db.session.query(ApiToken).filter_by(user_id=current_user.id, revoked_at=None).all()
    return render_template("users/account.html", form=form, tokens=tokens, new_token=new_token)


@bp.post("/compte/jetons/<int:token_id>/revoquer")
@login_required
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token and token.user_id == current_user.id:
        token.revoked_at = utcnow()
        db.session.commit()
        flash(_("Le jeton a été révoqué."), "info")
    return redirect(url_for("users.account"))
