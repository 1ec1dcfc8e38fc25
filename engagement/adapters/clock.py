"""The current time, injectable so tests can stand anywhere in the school year."""

from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def app_clock() -> Clock:
    """The clock this app was configured with (tests pass CLOCK)."""
    return current_app.config.get("CLOCK") or system_clock
