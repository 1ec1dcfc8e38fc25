"""Defaults plus environment overrides; read only inside create_app."""

import os
from pathlib import Path
from typing import Any, ClassVar

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the environment gives."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = "dev-only-secret-change-me"
    SQLALCHEMY_DATABASE_URI = "sqlite:///" + str(PROJECT_ROOT / "instance" / "engagement.db")
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": False}
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "America/Los_Angeles"
    BABEL_TRANSLATION_DIRECTORIES = str(PROJECT_ROOT / "translations")
    # Every message our forms show is our own, translated in our catalogs; WTForms'
    # built-in catalogs would only be parsed again on every request.
    WTF_I18N_ENABLED = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    # Resume cookie lifetime: long enough to come back to a half-finished survey.
    RESUME_COOKIE_DAYS = 30
    DISTRICT_TIMEZONE = "America/Los_Angeles"
    DISTRICT_NAME = "Pasadena Unified School District"
    DISTRICT_NAME_ES = "Distrito Escolar Unificado de Pasadena"
    DISTRICT_NAME_ZH = "帕萨迪纳联合学区"
    SURVEY_TEMPLATE_DIR = str(PROJECT_ROOT / "surveys")
    MIGRATIONS_DIR = str(PROJECT_ROOT / "migrations")
    # CSRF tokens last as long as the browser session: a parent may leave a page open for hours.
    WTF_CSRF_TIME_LIMIT = None
    # Injected clock (tests); None means the system clock.
    CLOCK = None
    # Staff accounts: a login lasts a working day; failed logins are counted per account
    # and per IP address over a sliding window, in the database (shared by every worker).
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    LOGIN_WINDOW_MINUTES = 15
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_IP = 30
    # argon2-cffi profile name (argon2.profiles); tests use CHEAPEST.
    PASSWORD_HASH_PROFILE = "RFC_9106_LOW_MEMORY"
    PASSWORD_MIN_LENGTH = 12
    RESET_LINK_HOURS = 2
    INVITE_LINK_HOURS = 72
    # A survey started and left this long is forgotten (`flask surveys forget-unfinished`).
    UNFINISHED_RETENTION_DAYS = 30
    # Where links printed by the CLI and put in QR codes point; None: the request's host.
    PUBLIC_BASE_URL = None
    # Reports: the smallest group shown (a survey's min_cell_size overrides these).
    REPORT_MIN_CELL_SIZE = 10
    REPORT_MIN_CELL_SIZE_STAFF = 5
    # --- SMS (Twilio) ---
    # "console" prints outgoing texts (development); "twilio" sends them.
    SMS_TRANSPORT = "console"
    TWILIO_ACCOUNT_SID = None
    TWILIO_AUTH_TOKEN = None
    TWILIO_FROM_NUMBER = None
    TWILIO_MESSAGING_SERVICE_SID = None
    # The number parents text a survey's keyword to, printed on flyers; None: TWILIO_FROM_NUMBER.
    SMS_PUBLIC_NUMBER = None
    # Where the twilio client sends API calls; None: Twilio itself (tests use a local fake).
    TWILIO_API_BASE_URL = None
    # Who is asking, for HELP replies and invitations, as each language's families read it.
    # Without a Spanish or Chinese name (None), texts in that language use the English one.
    SMS_OFFICE_NAME = "PUSD Family Engagement"
    SMS_OFFICE_NAME_ES = "Participación Familiar de PUSD"
    SMS_OFFICE_NAME_ZH = "PUSD 家庭参与办公室"
    SMS_OFFICE_PHONE = "(626) 396-3600"
    SMS_DEFAULT_REGION = "US"
    # A conversation with no reply for this long expires (default 3 days).
    SMS_CONVERSATION_EXPIRY_HOURS = 72
    # Failed replies to one prompt before it is skipped (optional) or the survey ends.
    SMS_MAX_TRIES = 3
    # Outbox worker: messages per second, district-time sending window, retries.
    SMS_SEND_RATE = 1.0
    SMS_SENDING_HOURS = (8, 20)
    SMS_MAX_ATTEMPTS = 5
    SMS_RETRY_BASE_SECONDS = 30


# Names with a Spanish and a Chinese form (NAME_ES, NAME_ZH; None: the English one is used).
NAMES_IN_LANGUAGES = ("DISTRICT_NAME", "SMS_OFFICE_NAME")


def name_in(config: Any, name: str, language: str) -> str:
    """A configured name as `language`'s readers know it ("帕萨迪纳联合学区")."""
    return config.get(f"{name}_{language.upper()}") or config[name]


# Environment variable -> (config key, parser)
ENVIRONMENT_OVERRIDES = {
    "SECRET_KEY": ("SECRET_KEY", str),
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", normalise_database_url),
    "SESSION_COOKIE_SECURE": ("SESSION_COOKIE_SECURE", _bool),
    "DISTRICT_NAME": ("DISTRICT_NAME", str),
    "DISTRICT_NAME_ES": ("DISTRICT_NAME_ES", str),
    "DISTRICT_NAME_ZH": ("DISTRICT_NAME_ZH", str),
    "SURVEY_TEMPLATE_DIR": ("SURVEY_TEMPLATE_DIR", str),
    "PUBLIC_BASE_URL": ("PUBLIC_BASE_URL", str),
    "UNFINISHED_RETENTION_DAYS": ("UNFINISHED_RETENTION_DAYS", float),
    "REPORT_MIN_CELL_SIZE": ("REPORT_MIN_CELL_SIZE", int),
    "REPORT_MIN_CELL_SIZE_STAFF": ("REPORT_MIN_CELL_SIZE_STAFF", int),
    "SMS_TRANSPORT": ("SMS_TRANSPORT", str),
    "TWILIO_ACCOUNT_SID": ("TWILIO_ACCOUNT_SID", str),
    "TWILIO_AUTH_TOKEN": ("TWILIO_AUTH_TOKEN", str),
    "TWILIO_FROM_NUMBER": ("TWILIO_FROM_NUMBER", str),
    "TWILIO_MESSAGING_SERVICE_SID": ("TWILIO_MESSAGING_SERVICE_SID", str),
    "TWILIO_API_BASE_URL": ("TWILIO_API_BASE_URL", str),
    "SMS_PUBLIC_NUMBER": ("SMS_PUBLIC_NUMBER", str),
    "SMS_OFFICE_NAME": ("SMS_OFFICE_NAME", str),
    "SMS_OFFICE_NAME_ES": ("SMS_OFFICE_NAME_ES", str),
    "SMS_OFFICE_NAME_ZH": ("SMS_OFFICE_NAME_ZH", str),
    "SMS_OFFICE_PHONE": ("SMS_OFFICE_PHONE", str),
    "SMS_CONVERSATION_EXPIRY_HOURS": ("SMS_CONVERSATION_EXPIRY_HOURS", float),
    "SMS_SEND_RATE": ("SMS_SEND_RATE", float),
}


def load_config(overrides: dict | None = None, environ: os._Environ | dict | None = None) -> dict:
    """Defaults, then environment variables, then explicit overrides (tests)."""
    environ = os.environ if environ is None else environ
    config = {key: getattr(Config, key) for key in dir(Config) if key.isupper()}
    for variable, (key, parse) in ENVIRONMENT_OVERRIDES.items():
        if variable in environ:
            config[key] = parse(environ[variable])
    config.update(overrides or {})
    given = {
        key for variable, (key, _parse) in ENVIRONMENT_OVERRIDES.items() if variable in environ
    }
    given |= set(overrides or {})
    for name in NAMES_IN_LANGUAGES:  # another district's name: not ours in other languages
        if name in given:
            for key in (f"{name}_ES", f"{name}_ZH"):
                if key not in given:
                    config[key] = None
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["SQLALCHEMY_DATABASE_URI"])
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {}
    return config
