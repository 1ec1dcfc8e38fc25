"""Family, student and staff engagement surveys: the application factory."""

from flask import Flask

from engagement.config import load_config


def create_app(overrides: dict | None = None) -> Flask:
    """Load config, bind extensions, register blueprints and commands. No I/O."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_mapping(load_config(overrides))
    register_converters(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_request_guards(app)
    register_response_headers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def register_converters(app: Flask) -> None:
    from engagement.web.guards import DatabaseIntConverter

    app.url_map.converters["int"] = DatabaseIntConverter


def register_extensions(app: Flask) -> None:
    from engagement.extensions import babel, csrf, db, migrate
    from engagement.i18n import request_locale

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(app.config["MIGRATIONS_DIR"]),
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    babel.init_app(app, locale_selector=request_locale)
    csrf.init_app(app)

    from engagement.auth import init_login

    init_login(app)


def register_blueprints(app: Flask) -> None:
    from engagement.web import bp as web_bp

    app.register_blueprint(web_bp)

    from engagement.admin import bp as admin_bp
    from engagement.auth import bp as auth_bp
    from engagement.distribution import bp as access_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(access_bp)

    from engagement.reports import api as api_bp
    from engagement.reports import bp as reports_bp

    app.register_blueprint(reports_bp)
    app.register_blueprint(api_bp)

    from engagement.extensions import csrf
    from engagement.sms import bp as sms_bp

    # Twilio signs its webhooks (checked in the views); it cannot send a CSRF token.
    csrf.exempt(sms_bp)
    app.register_blueprint(sms_bp)


def register_errorhandlers(app: Flask) -> None:
    from engagement.web.errors import register as register_web_errors

    register_web_errors(app)


def register_request_guards(app: Flask) -> None:
    from engagement.web.guards import register as register_guards

    register_guards(app)


def register_response_headers(app: Flask) -> None:
    from engagement.web.headers import register as register_headers

    register_headers(app)


def register_template_helpers(app: Flask) -> None:
    from engagement.web.helpers import register as register_helpers

    register_helpers(app)


def register_commands(app: Flask) -> None:
    from engagement.cli import register as register_cli

    register_cli(app)

    from engagement.auth.cli import register as register_users_cli

    register_users_cli(app)

    from engagement.sms.cli import register as register_sms_cli

    register_sms_cli(app)
