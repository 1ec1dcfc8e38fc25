"""Whether the database's schema is the one this code was written for, before serving it."""

from __future__ import annotations

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from engagement.extensions import db

UPGRADE = "flask --app wsgi db upgrade"


def schema_problem(app: Flask) -> str | None:
    """What stops this app serving its database, in words for whoever deploys it; None if nothing.

    A server started on a database that was never migrated, or migrated by older or newer code,
    would answer every request with an error: better to refuse to start and say why.
    """
    scripts = ScriptDirectory(app.extensions["migrate"].directory)
    needed = set(scripts.get_heads())
    with app.app_context():
        where = db.engine.url.render_as_string(hide_password=True)
        try:
            with db.engine.connect() as connection:
                current = set(MigrationContext.configure(connection).get_current_heads())
        except SQLAlchemyError as error:
            reason = str(error.orig if hasattr(error, "orig") else error).strip().splitlines()
            return f"Cannot read the database at {where}: {reason[0] if reason else error}"
        finally:
            db.engine.dispose()  # a forked server's workers must not share this connection
    if current == needed:
        return None
    wanted = ", ".join(sorted(needed))
    if not current:
        return (
            f"The database at {where} has no tables yet. Run `{UPGRADE}`, then load the schools"
            " and surveys (see the README), before serving."
        )
    unknown = current - {script.revision for script in scripts.walk_revisions()}
    if unknown:
        return (
            f"The database at {where} is at migration {', '.join(sorted(unknown))}, which this"
            f" code does not have (this code ends at {wanted}): newer code migrated it. Deploy"
            " that code, or downgrade the database with it."
        )
    return (
        f"The database at {where} is at migration {', '.join(sorted(current))}; this code needs"
        f" {wanted}. Run `{UPGRADE}` before serving."
    )
