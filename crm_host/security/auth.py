"""Authentication: password hashing and the session login shared by console and API."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask
from flask_login import LoginManager, UserMixin
from flask_wtf.csrf import CSRFProtect

from crm_host.core.host import get_host
from crm_host.core.models import User

_hasher = PasswordHasher()
#: Verified against when there is no real hash, so failures cost what successes do.
_DUMMY_HASH = _hasher.hash("not a password anyone has")
login_manager = LoginManager()
csrf = CSRFProtect()
login_manager.login_view = "console.login"


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password against its hash; a missing or corrupt hash never matches."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class LoginUser(UserMixin):
    """The Flask-Login view of a :class:`User`; attribute access falls through to it."""

    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        # The epoch rides in the session cookie: a cookie from before a sign-out or a
        # password change no longer matches, although its signature is still good.
        return f"{self.user.id}:{self.user.session_epoch}"

    @property
    def is_active(self) -> bool:
        return self.user.is_active

    def __getattr__(self, name: str) -> object:
        return getattr(self.user, name)


@login_manager.user_loader
def _load_user(user_id: str) -> LoginUser | None:
    from flask import current_app
    from flask import session as cookie

    from crm_host.core.db import utcnow

    raw_id, _, epoch = user_id.partition(":")
    if not raw_id.isdigit() or not epoch.isdigit():
        return None
    user = get_host().session.get(User, int(raw_id))
    if user is None or not user.is_active or user.session_epoch != int(epoch):
        return None
    signed_in_at = cookie.get("crm_signed_in_at")
    max_age = float(current_app.config.get("SESSION_MAX_AGE", 12 * 3600))
    if not isinstance(signed_in_at, int | float) or utcnow().timestamp() - signed_in_at > max_age:
        return None  # past the absolute lifetime: sign in again, however active
    return LoginUser(user)


def start_session(user: User) -> None:
    """Sign ``user`` in to the console: a fresh session with its absolute start time."""
    from flask import session as cookie
    from flask_login import login_user

    from crm_host.core.db import utcnow

    cookie.clear()  # nothing of an earlier session carries over
    cookie.permanent = True  # expires after PERMANENT_SESSION_LIFETIME without a request
    cookie["crm_signed_in_at"] = utcnow().timestamp()
    login_user(LoginUser(user))


def end_sessions(user: User) -> None:
    """End every console session of ``user`` (sign-out, new password, deactivation)."""
    user.session_epoch = (user.session_epoch or 0) + 1


def authenticate(username: str, password: str) -> User | None:
    """The active user with this username and password, or ``None``.

    Throttled: failures count per account and per client address, and a locked
    account or address is refused whatever the password (see crm_host.security.throttle).
    The failure counts commit at once, so an attacker cannot roll them back.
    """
    import sqlalchemy as sa
    from flask import current_app, has_request_context, request

    from crm_host.records import audit
    from crm_host.security import throttle

    session = get_host().session
    address = request.remote_addr if has_request_context() else None
    if throttle.locked(session, username, address):
        verify_password(_DUMMY_HASH, password)  # same cost as a real check: no timing oracle
        return None
    user = session.scalar(sa.select(User).where(User.username == username))
    # Hash even for unknown users, so the answer time does not reveal who exists.
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not user.is_active or not ok:
        # Every failed sign-in is on record: who was tried, from where — never the password.
        audit.record(
            session,
            "login_failed",
            "user",
            user.id if user else None,
            after={"username": username[:150], "address": address},
        )
        locked_now = throttle.record_failure(session, current_app.config, username, address)
        if locked_now and user is not None and throttle.locked(session, username, None):
            _tell_of_lockout(session, user, address)
        session.commit()
        return None
    throttle.record_success(session, username)
    audit.record(
        session,
        "login",
        "user",
        user.id,
        after={"method": "password", "address": address},
        actor=user,
    )
    return user


def _tell_of_lockout(session: object, user: User, address: str | None) -> None:
    """Tell the owner their account was locked: in the console and by email."""
    from crm_host.records.notifications import notify

    notify(
        session,  # type: ignore[arg-type]
        user,
        kind="security.lockout",
        title="Your account was locked after repeated failed sign-ins",
        body=(
            f"Sign-in to {user.username} failed too often"
            + (f" (last attempt from {address})" if address else "")
            + ". It unlocks by itself after a while. If this was not you, tell your "
            "administrator and change your password."
        ),
        email=True,
    )


@login_manager.request_loader
def _load_user_from_token(request: object) -> LoginUser | None:
    """Authenticate an ``Authorization: Bearer`` request; its scopes narrow the user's rights."""
    from flask import g
    from flask import request as flask_request

    from crm_host.security.tokens import find_token, record_use

    header = flask_request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret:
        return None
    session = get_host().session
    token = find_token(session, secret.strip())
    if token is None or not token.user.is_active:
        g.crm_bad_token = True
        return None
    g.crm_token_scopes = list(token.scopes)
    record_use(session, token)
    return LoginUser(token.user)


@login_manager.unauthorized_handler
def _unauthorized() -> object:
    # The API answers 401 in JSON; the console sends people to the sign-in page.
    from flask import jsonify, redirect, request, url_for

    from crm_host.core.requests import is_api_request

    if is_api_request():
        from flask import g

        message = (
            "The bearer token is unknown, expired or revoked."
            if g.get("crm_bad_token")
            else "Sign in first."
        )
        return jsonify(code=401, message=message), 401
    return redirect(url_for("console.login", next=request.full_path))


def init_app(app: Flask) -> None:
    """Install the login manager and CSRF protection on ``app``.

    Every console form is CSRF-checked. The API is not: it accepts JSON bodies only,
    which a cross-site page cannot send without a CORS preflight, and bearer tokens.
    """
    from flask import request

    from crm_host.core.requests import is_api_request

    login_manager.init_app(app)
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    csrf.init_app(app)

    @app.before_request
    def _check_csrf() -> None:
        if not app.config.get("WTF_CSRF_ENABLED", True):
            return
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and not is_api_request():
            csrf.protect()
