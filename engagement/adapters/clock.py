"""The current time, injectable so tests can stand anywhere in the school year."""

from collections.abc import Callable
from datetime import UTC, datetime, time

from flask import current_app

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def app_clock() -> Clock:
    """The clock this app was configured with (tests pass CLOCK)."""
    return current_app.config.get("CLOCK") or system_clock


def start_of_day(moment: datetime) -> datetime:
    """Midnight of that day: what is kept where an exact time could identify someone."""
    return datetime.combine(moment.date(), time(0), tzinfo=moment.tzinfo)
