"""Login (password form and single sign-on buttons), logout, password reset and the personal account page."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from helpdesk.platform.errors import ValidationFailed, retry_after_seconds, wait_message
from helpdesk.platform.extensions import csrf, db, limiter
from helpdesk.platform.locale import chosen_in_browser, in_locale, locale_of, remember_in_browser
from helpdesk.platform.mail import send_mail
from helpdesk.platform.security import is_safe_next
from helpdesk.platform.timeutil import utcnow
from helpdesk.users import services
from helpdesk.users.backends import SsoProtocolError, authenticate, single_sign_on
from helpdesk.users.forms import SCOPE_LABELS, ApiTokenForm, LanguageForm, LoginForm, ResetPasswordForm, ResetRequestForm
from helpdesk.users.models import User
from helpdesk.users.passwords import make_reset_token, read_reset_token, token_matches
from helpdesk.users.provisioning import SsoRefused, sign_in_external
from helpdesk.users.sso_claims import read_claims

bp = Blueprint("users", __name__)


def _typed_email() -> str:
    return (request.form.get("email") or "").strip().lower()[:254]


def _account_key() -> str:
    return "login-account:" + _typed_email()


def _account_address_key() -> str:
    return f"login-account-address:{_typed_email()}|{get_remote_address()}"


def _limit(name: str) -> str:
    return current_app.config[name]


def _failed_login(response) -> bool:
    """Only failures count: a school's staff signing in all morning never locks anyone out."""
    return response.status_code == 401


def _locked_out(request_limit):
    """A breached login limit: the form again, the e-mail kept, the wait stated (and in Retry-After)."""
    seconds = retry_after_seconds(request_limit.reset_at)
    form = LoginForm()  # bound to what was posted: the e-mail stays in its field
    page = _login_page(form, request.args.get("next") or request.form.get("next"), lockout=wait_message(seconds))
    return current_app.response_class(page, status=429, headers={"Retry-After": str(seconds)} if seconds else {})


_LOGIN_LIMITS = {"methods": ["POST"], "deduct_when": _failed_login, "on_breach": _locked_out}


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(lambda: _limit("LOGIN_LIMIT_PER_ADDRESS"), **_LOGIN_LIMITS)
@limiter.limit(lambda: _limit("LOGIN_LIMIT_PER_ACCOUNT"), key_func=_account_key, **_LOGIN_LIMITS)
@limiter.limit(lambda: _limit("LOGIN_LIMIT_PER_ACCOUNT_ADDRESS"), key_func=_account_address_key, **_LOGIN_LIMITS)
def login():
    form = LoginForm()
    next_url = request.args.get("next") or request.form.get("next")
    if form.validate_on_submit():
        user = authenticate(db.session, {"email": form.email.data, "password": form.password.data})
        if user is not None:
            user.last_login_at = utcnow()
            db.session.commit()
            session.pop("sso", None)
            _keep_switch_choice(user)
            login_user(user)
            return redirect(next_url if is_safe_next(next_url) else url_for("web.home"))
        # One message whatever went wrong: no hint that the account exists.
        flash(_("Adresse électronique ou mot de passe incorrect."), "error")
        return _login_page(form, next_url), 401
    return _login_page(form, next_url), (400 if form.errors else 200)


def _keep_switch_choice(user) -> None:
    """A language chosen with the switch before signing in becomes the account's: the page after login speaks it."""
    chosen = chosen_in_browser(request)
    if chosen and chosen != user.locale:
        services.set_locale(db.session, user, chosen, supported=current_app.config["LANGUAGES"])
        db.session.commit()


def _login_page(form, next_url, **extra) -> str:
    providers = [p.config for p in single_sign_on().providers.values()]
    return render_template("users/login.html", form=form, next=next_url, providers=providers, **extra)


def _callback_url(name: str) -> str:
    # From PUBLIC_URL, never from the Host header: the provider registers this exact address.
    return current_app.config["PUBLIC_URL"].rstrip("/") + url_for("users.sso_callback", name=name)


@bp.get("/connexion/sso/<name>")
def sso_start(name: str):
    provider = single_sign_on().get_or_404(name)
    next_url = request.args.get("next")
    session["sso_next"] = next_url if is_safe_next(next_url) else None
    try:
        return provider.login_redirect(_callback_url(name))
    except SsoProtocolError as error:
        current_app.logger.warning("sso %s: %s", name, error)
        return _refused(provider, "unavailable", {}, error.status)


@bp.route("/connexion/sso/<name>/retour", methods=["GET", "POST"])
@csrf.exempt  # the identity provider's own back-channel POST (CAS single logout) carries no form token
@limiter.limit(lambda: _limit("LOGIN_LIMIT_PER_ADDRESS"), methods=["GET"], deduct_when=lambda r: r.status_code >= 400)
def sso_callback(name: str):
    provider = single_sign_on().get_or_404(name)
    if request.method == "POST":
        return _single_logout(provider)
    try:
        external = provider.finish(_callback_url(name))
        claims = read_claims(provider.config, external.subject, external.attributes)
        user = sign_in_external(db.session, provider.config, claims, now=utcnow())
    except SsoProtocolError as error:
        db.session.rollback()
        current_app.logger.warning("sso %s: %s", name, error)
        return _refused(provider, "protocol", {}, error.status)
    except SsoRefused as error:
        db.session.rollback()
        current_app.logger.info("sso %s: refused %s (%s)", name, error.reason, error.details)
        return _refused(provider, error.reason, error.details, error.status)
    db.session.commit()
    provider.remember(external, user)
    _keep_switch_choice(user)
    login_user(user)
    session["sso"] = {"provider": name, "id_token": external.id_token}
    next_url = session.pop("sso_next", None)
    return redirect(next_url if is_safe_next(next_url) else url_for("web.home"))


def _refused(provider, reason: str, details: dict, status: int):
    return render_template("users/sso_refused.html", provider=provider.config, reason=reason, details=details), status


def _single_logout(provider):
    """CAS single logout: the server POSTs a LogoutRequest naming the ticket; that account's sessions end."""
    user_id = provider.user_id_for_logout(request.form.get("logoutRequest", ""))
    user = db.session.get(User, user_id) if user_id else None
    if user is not None:
        services.end_sessions(db.session, user)
        db.session.commit()
        current_app.logger.info("sso %s: single logout of account %s", provider.config.name, user.id)
    return "", 204


@bp.post("/deconnexion")
@login_required
def logout():
    signed_in_with = session.pop("sso", None) or {}
    services.end_sessions(db.session, current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash(_("Vous êtes déconnecté."), "info")
    provider = single_sign_on().get(signed_in_with.get("provider"))
    if provider is not None:
        # Single logout: the identity provider closes its own session too, then sends the browser back.
        url = provider.logout_url(current_app.config["PUBLIC_URL"].rstrip("/") + url_for("web.home"), signed_in_with)
        if url:
            return redirect(url)
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
            with in_locale(locale_of(user)):  # the account's language, whatever the page was read in
                body = render_template("mail/password_reset.txt", user=user, link=link)
                subject = _("Réinitialisation de votre mot de passe")
            try:
                send_mail(current_app.config, user.email, subject, body)
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
            form.password.errors.append(error.text())
            return render_template("users/reset_password.html", form=form), 400
        db.session.commit()
        flash(_("Votre mot de passe a été modifié. Vous pouvez vous connecter."), "success")
        return redirect(url_for("users.login"))
    return render_template("users/reset_password.html", form=form), (400 if form.errors else 200)


@bp.route("/compte", methods=["GET", "POST"])
@login_required
def account():
    form = ApiTokenForm()
    new_token, status = None, 200
    if form.validate_on_submit():
        expires_at = services.token_expiry(form.expires_on.data, now=utcnow())
        if expires_at is False:
            form.expires_on.errors.append(_("Choisissez une date d'expiration à venir."))
        else:
            new_token = services.issue_api_token(db.session, current_user, form.name.data, scopes=form.scopes.data or (),
                                                 expires_at=expires_at)  # fmt: skip
            db.session.commit()
    if form.errors:
        status = 400
    tokens = services.live_tokens(db.session, current_user, now=utcnow())
    language_form = LanguageForm(formdata=None, locale=current_user.locale)
    return render_template("users/account.html", form=form, tokens=tokens, new_token=new_token,
                           scope_labels=SCOPE_LABELS, language_form=language_form), status  # fmt: skip


@bp.post("/compte/langue")
@login_required
def set_language():
    """The account's language: the interface after login and every mail sent to this person."""
    form = LanguageForm()
    if form.validate_on_submit():
        services.set_locale(db.session, current_user, form.locale.data, supported=current_app.config["LANGUAGES"])
        db.session.commit()
        with in_locale(form.locale.data):  # said in the language just chosen
            flash(_("Votre langue est enregistrée."), "success")
        response = redirect(url_for("users.account"))
        remember_in_browser(response, form.locale.data)  # the switch and the account agree in this browser
        return response
    flash(_("Choisissez une langue de la liste."), "error")
    return redirect(url_for("users.account"))


@bp.post("/compte/jetons/<int:token_id>/revoquer")
@login_required
def revoke_token(token_id: int):
    if services.revoke_api_token(db.session, current_user, token_id, now=utcnow()):
        db.session.commit()
        flash(_("Le jeton a été révoqué."), "info")
    return redirect(url_for("users.account"))
