"""Register, log in and out, reset a password, and look after your own profile."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user

from recovery_network.accounts import management, services
from recovery_network.accounts.forms import (
    ChangePasswordForm,
    EraseForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetForm,
    ResetRequestForm,
)
from recovery_network.accounts.permissions import end_browser_session, safe_next
from recovery_network.errors import DomainError
from recovery_network.extensions import db, limiter
from recovery_network.mail import public_url, send_mail
from recovery_network.types import utcnow

bp = Blueprint("accounts", __name__, url_prefix="/account")

SENT = "Thanks. If that address can be used, we've sent an email with what to do next."


def _email() -> str:
    """The email a form names, as accounts compare it."""
    return services.normalise_email(request.form.get("email", ""))[:254]


def account_and_address() -> str:
    """Limit key for one account tried from one address: a stranger elsewhere never shares it with the owner."""
    return f"login:{get_remote_address()}:{_email()}"


def account_only() -> str:
    """Limit key for one account from everywhere (the softer brake on a spread-out attack)."""
    return "login-account:" + _email()


def inbox() -> str:
    """Limit key for one email address: emails we send to it, whoever asks."""
    return "mail:" + _email()


def mailed(response) -> bool:
    """Only a request that sent an email counts against the inbox (typos in the form cost nothing)."""
    return bool(g.get("mailed"))


def failed(response) -> bool:
    """Only a failed login counts (a success redirects): the owner's right password costs nothing."""
    return response.status_code != 302


def limits(name: str):
    """A configured limit, read at request time so tests and deployments can change it."""
    return lambda: current_app.config[name]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(limits("FORM_LIMITS"), methods=["POST"])
@limiter.limit(limits("MAIL_LIMITS"), methods=["POST"], key_func=inbox, deduct_when=mailed)
def register():
    """Sign up as a volunteer; the account waits for a co-ordinator's approval."""
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            person = services.register_person(
                form.email.data, form.first_name.data, form.last_initial.data or "", form.password.data, form.role.data
            )
        except services.WeakPassword as error:
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            _registration_email(form.email.data, person is None)
            # The same answer whether or not the address already had an account.
            return render_template("accounts/sent.html", message=SENT)
    return render_template("accounts/register.html", form=form)


def _registration_email(email: str, existed: bool) -> None:
    """Tell the owner of the address what happened, without telling the person at the keyboard."""
    if existed:
        body = ("Someone tried to register with this email address. You already have an account: "
                f"log in at {public_url('accounts.login')} or reset your password at "
                f"{public_url('accounts.reset_request')}.")
    else:
        body = ("Thanks for offering to help. A co-ordinator will look at your registration soon; "
                f"you can log in at {public_url('accounts.login')} to see how it's going.")
    send_mail(email, "Your Recovery Network account", body)
    g.mailed = True


def _reset_email(email: str) -> None:
    """One email whether or not the address has an account: the same work, so the same time, either way."""
    person = services.find_by_email(email)
    if person is not None and person.is_active:
        link = public_url("accounts.reset", token=services.reset_token(person))
        body = (f"Use this link within an hour to choose a new password:\n\n{link}\n\n"
                "If you didn't ask for this, you can ignore this email.")
    else:
        body = ("Someone asked to reset the password for this email address, but there is no account "
                "with it that can be reset. If it wasn't you, you can ignore this email.")
    send_mail(services.normalise_email(email), "Reset your Recovery Network password", body)
    g.mailed = True


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(limits("LOGIN_LIMITS"), methods=["POST"], key_func=account_and_address, deduct_when=failed)
@limiter.limit(limits("LOGIN_ADDRESS_LIMITS"), methods=["POST"], deduct_when=failed)
@limiter.limit(limits("LOGIN_ACCOUNT_LIMITS"), methods=["POST"], key_func=account_only, deduct_when=failed)
def login():
    """Log in; a wrong email and a wrong password get the same answer."""
    form = LoginForm()
    if form.validate_on_submit():
        person = services.authenticate(form.email.data, form.password.data)
        if person is None or not person.is_active:
            db.session.commit()  # keep the audit row of the failure
            form.password.errors.append("That email and password don't match an account.")
        else:
            remember = bool(form.remember.data) and not person.is_staff
            session.clear()
            services.start_session(person)
            services.note_login(person)
            db.session.commit()
            login_user(person, remember=remember)
            session.permanent = True
            session["login_at"] = utcnow().isoformat()
            return redirect(safe_next(request.args.get("next")) or url_for("accounts.profile"))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    """Log out of this browser: its login ends on the server too, so a copied cookie is worthless."""
    if current_user.is_authenticated:
        services.end_session(current_user)
        db.session.commit()
    end_browser_session()
    flash("You have logged out.", "info")
    return redirect(url_for("directory.index"))


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere():
    """End every session this person has, on every device."""
    services.end_sessions(current_user)
    db.session.commit()
    end_browser_session()
    flash("You have been logged out everywhere.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("", methods=["GET", "POST"])
@login_required
def profile():
    """My profile: my name as others see it, my password, and (below) my training and clearances."""
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        current_user.first_name = form.first_name.data.strip()
        current_user.last_initial = (form.last_initial.data or "").strip()[:1].upper()
        db.session.commit()
        flash("Saved.", "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, password_form=ChangePasswordForm(formdata=None))


@bp.post("/password")
@login_required
def change_password():
    """Change my password; my other sessions end."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.password.data)
        except services.WrongPassword as error:
            form.current.errors.append(str(error))
        except services.WeakPassword as error:
            form.password.errors.append(str(error))
        else:
            person = current_user._get_current_object()
            services.start_session(person)  # this browser carries on, under a new login
            db.session.commit()
            login_user(person)
            flash("Your password has been changed. Other devices have been logged out.", "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=ProfileForm(obj=current_user), password_form=form)


@bp.route("/erase", methods=["GET", "POST"])
@login_required
def erase():
    """Erase my own account (the right to erasure), after confirming with my password."""
    form = EraseForm()
    if form.validate_on_submit():
        person = current_user._get_current_object()
        try:
            services.check_current_password(person, form.password.data)
            management.erase_person(person, person, "own request")
        except DomainError as error:
            db.session.rollback()
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            end_browser_session()
            flash("Your account has been erased.", "info")
            return redirect(url_for("directory.index"))
    return render_template("accounts/erase.html", form=form)


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(limits("FORM_LIMITS"), methods=["POST"])
@limiter.limit(limits("MAIL_LIMITS"), methods=["POST"], key_func=inbox, deduct_when=mailed)
def reset_request():
    """Ask for a reset link; the answer never says whether the address has an account."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        _reset_email(form.email.data)
        return render_template("accounts/sent.html", message=SENT)
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    """Choose a new password from an emailed link (valid for an hour, once)."""
    person = services.person_for_reset(token)
    if person is None:
        return render_template("accounts/reset_invalid.html"), 404
    form = ResetForm()
    if form.validate_on_submit():
        try:
            services.set_password(person, form.password.data)
        except DomainError as error:
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            flash("Your password has been changed. Please log in.", "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form)
