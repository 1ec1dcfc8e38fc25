"""Staff log-in, password links, personal API tokens, and the permission model."""

from flask import Blueprint, Flask, request
from flask_babel import lazy_gettext as _l

bp = Blueprint("auth", __name__, url_prefix="/auth")


def init_login(app: Flask) -> None:
    """Flask-Login: sessions name a user and their session version; /api/ takes bearer tokens."""
    from engagement.adapters.clock import app_clock
    from engagement.extensions import db, login_manager

    from .service import load_user, user_for_api_token

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load(user_id: str):
        return load_user(db.session, user_id)

    @login_manager.request_loader
    def _from_bearer_token(req):
        if not request.path.startswith("/api/"):
            return None
        scheme, _, raw = req.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            return None
        return user_for_api_token(db.session, raw.strip(), app_clock())


from engagement.auth import views  # noqa: E402,F401  (registers the routes)
