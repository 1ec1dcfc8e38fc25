"""The durable outbox and its worker: at most once, at a set rate, inside sending hours.

A message is queued in the transaction that decides to send it. A worker
claims a few at a time (SKIP LOCKED on PostgreSQL, so several workers never
take the same row), marks them `sending` and commits before calling Twilio.
A row left `sending` by a crash is never picked again: at most once, never
twice. Twilio's status callback (which names the row) records what happened.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from engagement.adapters.clock import Clock
from engagement.models import (
    Contact,
    Conversation,
    ConversationStatus,
    OptKind,
    OutboundMessage,
    OutboundStatus,
)

from .segments import segments, smart_encode

# Twilio: "Attempt to send to unsubscribed recipient" (the phone texted STOP to Twilio).
UNSUBSCRIBED = 21610


class SendError(Exception):
    """Twilio refused or could not be reached. `temporary`: worth a retry; `ambiguous`: it may
    have gone out, so it must not be retried."""

    def __init__(self, message: str, code: int | None = None, *, temporary=False, ambiguous=False):
        super().__init__(message)
        self.code = code
        self.temporary = temporary
        self.ambiguous = ambiguous


class Transport(Protocol):
    def send(self, to: str, body: str, status_callback: str | None) -> str:
        """Hand one text over; returns the provider's message id or raises SendError."""


@dataclass(frozen=True)
class OutboxSettings:
    rate: float = 1.0  # messages per second
    sending_hours: tuple[int, int] = (8, 20)
    timezone: str = "America/Los_Angeles"
    max_attempts: int = 5
    retry_base_seconds: float = 30.0
    public_base_url: str | None = None
    batch_size: int = 20

    @classmethod
    def from_config(cls, config) -> OutboxSettings:
        start, end = config["SMS_SENDING_HOURS"]
        return cls(
            rate=float(config["SMS_SEND_RATE"]),
            sending_hours=(int(start), int(end)),
            timezone=config["DISTRICT_TIMEZONE"],
            max_attempts=int(config["SMS_MAX_ATTEMPTS"]),
            retry_base_seconds=float(config["SMS_RETRY_BASE_SECONDS"]),
            public_base_url=config.get("PUBLIC_BASE_URL"),
        )

    def status_callback(self, message_id: int) -> str | None:
        if not self.public_base_url:
            return None
        return f"{self.public_base_url.rstrip('/')}/sms/twilio/status?m={message_id}"


def queue_message(
    session: Session,
    contact: Contact,
    body: str,
    kind: str,
    now: datetime,
    invitation_id: int | None = None,
) -> OutboundMessage | None:
    """Add a text to the outbox in the caller's transaction; nothing for an opted-out phone."""
    if contact.opted_out:
        return None
    body = smart_encode(body)
    message = OutboundMessage(
        contact_id=contact.id,
        invitation_id=invitation_id,
        kind=kind,
        body=body,
        segments=segments(body),
        status=OutboundStatus.QUEUED,
        attempts=0,
        not_before=now,
        created_at=now,
    )
    session.add(message)
    return message


def in_sending_hours(now: datetime, settings: OutboxSettings) -> bool:
    local = now.astimezone(ZoneInfo(settings.timezone))
    start, end = settings.sending_hours
    return start <= local.hour < end


def seconds_until_sending(now: datetime, settings: OutboxSettings) -> float:
    """How long until the sending window opens (0 inside it)."""
    if in_sending_hours(now, settings):
        return 0.0
    zone = ZoneInfo(settings.timezone)
    local = now.astimezone(zone)
    opening = local.replace(hour=settings.sending_hours[0], minute=0, second=0, microsecond=0)
    if opening <= local:
        opening = (local + timedelta(days=1)).replace(
            hour=settings.sending_hours[0], minute=0, second=0, microsecond=0
        )
    # From `now`, not `local`: between datetimes sharing one zone Python subtracts wall-clock
    # times, an hour off on the nights the clocks change.
    return max((opening - now).total_seconds(), 1.0)


def claim(session: Session, now: datetime, limit: int) -> list[int]:
    """Mark up to `limit` due messages as ours (`sending`) and commit before any is sent."""
    candidates = session.scalars(
        select(OutboundMessage.id)
        .where(OutboundMessage.status == OutboundStatus.QUEUED, OutboundMessage.not_before <= now)
        .order_by(OutboundMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claimed: list[int] = []
    if candidates:
        # The status condition makes this safe even where SKIP LOCKED does not exist (SQLite).
        claimed = sorted(
            session.scalars(
                update(OutboundMessage)
                .where(
                    OutboundMessage.id.in_(candidates),
                    OutboundMessage.status == OutboundStatus.QUEUED,
                )
                .values(
                    status=OutboundStatus.SENDING,
                    claimed_at=now,
                    attempts=OutboundMessage.attempts + 1,
                )
                .returning(OutboundMessage.id)
            ).all()
        )
    session.commit()
    return claimed


def release(session: Session, message_ids: list[int]) -> None:
    """Put claimed but unsent messages back (the sending window closed mid-batch)."""
    if message_ids:
        session.execute(
            update(OutboundMessage)
            .where(
                OutboundMessage.id.in_(message_ids),
                OutboundMessage.status == OutboundStatus.SENDING,
            )
            .values(status=OutboundStatus.QUEUED, attempts=OutboundMessage.attempts - 1)
        )
        session.commit()


def send_claimed(
    session: Session,
    message_id: int,
    transport: Transport,
    clock: Clock,
    settings: OutboxSettings,
) -> OutboundStatus:
    """Send one claimed message and record the outcome. Commits."""
    from .conversation import record_opt

    message = session.get(
        OutboundMessage, message_id, options=[joinedload(OutboundMessage.contact)]
    )
    contact = message.contact
    now = clock()
    if contact.opted_out or _overtaken(session, message, now):
        message.status = OutboundStatus.CANCELLED
        session.commit()
        return message.status
    try:
        sid = transport.send(contact.phone, message.body, settings.status_callback(message.id))
    except SendError as error:
        message.error_code = error.code
        message.error_message = str(error)[:255]
        if error.code == UNSUBSCRIBED:
            message.status = OutboundStatus.FAILED
            if not contact.opted_out:
                record_opt(session, contact, OptKind.OPT_OUT, now, "twilio_21610")
        elif error.ambiguous:
            message.status = OutboundStatus.UNKNOWN
        elif error.temporary and message.attempts < settings.max_attempts:
            message.status = OutboundStatus.QUEUED
            delay = settings.retry_base_seconds * 2 ** (message.attempts - 1)
            message.not_before = now + timedelta(seconds=delay)
        else:
            message.status = OutboundStatus.FAILED
        session.commit()
        return message.status
    message.status = OutboundStatus.SENT
    message.twilio_sid = sid
    message.sent_at = now
    session.commit()
    return message.status


def _overtaken(session: Session, message: OutboundMessage, now: datetime) -> bool:
    """An invitation or reminder whose question is out of date before it went out.

    Queued overnight, it waits for 8:00; meanwhile the survey may have closed, or the phone
    may have texted and moved past the question it ends with (its answer would be taken
    for the next question's).
    """
    if message.invitation_id is None:
        return False
    conversation = session.scalars(
        select(Conversation)
        .where(Conversation.invitation_id == message.invitation_id)
        .order_by(Conversation.id.desc())
    ).first()
    if conversation is None:
        return False
    return (
        conversation.status is not ConversationStatus.ACTIVE
        or conversation.updated_at > message.created_at
        or not conversation.survey.accepts_responses(now)
    )


def abandon_stale(session: Session, clock: Clock, older_than: timedelta) -> int:
    """Claims a crashed worker left behind become `unknown`: reported, never resent. Commits."""
    cutoff = clock() - older_than
    count = session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.status == OutboundStatus.SENDING,
            OutboundMessage.claimed_at < cutoff,
        )
        .values(status=OutboundStatus.UNKNOWN)
    ).rowcount
    session.commit()
    return count


@dataclass
class WorkerStats:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    cancelled: int = 0
    unknown: int = 0
    outcomes: list[OutboundStatus] = field(default_factory=list)

    def add(self, status: OutboundStatus) -> None:
        self.outcomes.append(status)
        if status is OutboundStatus.SENT:
            self.sent += 1
        elif status is OutboundStatus.QUEUED:
            self.retried += 1
        elif status is OutboundStatus.CANCELLED:
            self.cancelled += 1
        elif status is OutboundStatus.UNKNOWN:
            self.unknown += 1
        else:
            self.failed += 1


def run_worker(
    session: Session,
    transport: Transport,
    clock: Clock,
    settings: OutboxSettings,
    *,
    once: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    timer: Callable[[], float] = time.monotonic,
    poll_seconds: float = 2.0,
    should_stop: Callable[[], bool] = lambda: False,
) -> WorkerStats:
    """Send due messages at `settings.rate` per second, only inside sending hours.

    `once`: stop when nothing is due (or outside hours) instead of waiting for more.
    """
    stats = WorkerStats()
    interval = 1.0 / settings.rate if settings.rate > 0 else 0.0
    next_slot = timer()
    while not should_stop():
        now = clock()
        wait = seconds_until_sending(now, settings)
        if wait:
            if once:
                break
            sleep(min(wait, 300.0))
            continue
        batch = claim(session, now, max(1, min(settings.batch_size, int(settings.rate) or 1)))
        if not batch:
            if once:
                break
            sleep(poll_seconds)
            continue
        for index, message_id in enumerate(batch):
            pause = next_slot - timer()
            if pause > 0:
                sleep(pause)
            if not in_sending_hours(clock(), settings) or should_stop():
                release(session, batch[index:])
                break
            next_slot = max(next_slot, timer()) + interval
            stats.add(send_claimed(session, message_id, transport, clock, settings))
    return stats


_TWILIO_STATUS = {
    "accepted": OutboundStatus.SENT,
    "queued": OutboundStatus.SENT,
    "sending": OutboundStatus.SENT,
    "sent": OutboundStatus.SENT,
    "delivered": OutboundStatus.DELIVERED,
    "read": OutboundStatus.DELIVERED,
    "undelivered": OutboundStatus.UNDELIVERED,
    "failed": OutboundStatus.FAILED,
}
_RANK = {
    OutboundStatus.QUEUED: 0,
    OutboundStatus.SENDING: 1,
    OutboundStatus.UNKNOWN: 1,
    OutboundStatus.SENT: 2,
    OutboundStatus.DELIVERED: 3,
    OutboundStatus.UNDELIVERED: 3,
    OutboundStatus.FAILED: 3,
    OutboundStatus.CANCELLED: 3,
}


def record_status(
    session: Session,
    sid: str,
    twilio_status: str,
    error_code: int | None,
    outbound_id: int | None,
    clock: Clock,
) -> bool:
    """Apply a delivery status callback; never moves a message backwards. Commits."""
    from .conversation import record_opt

    message = session.scalars(
        select(OutboundMessage).where(OutboundMessage.twilio_sid == sid).with_for_update()
    ).first()
    if message is None and outbound_id is not None:
        # A worker that stopped between sending and recording: the callback names the row.
        message = session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.id == outbound_id, OutboundMessage.twilio_sid.is_(None))
            .with_for_update()
        ).first()
    status = _TWILIO_STATUS.get(twilio_status.strip().lower())
    if message is None or status is None:
        session.rollback()
        return False
    message.twilio_sid = sid
    if message.sent_at is None:
        message.sent_at = clock()
    if _RANK[status] > _RANK[message.status]:
        message.status = status
    if error_code is not None:
        message.error_code = error_code
        if error_code == UNSUBSCRIBED and not message.contact.opted_out:
            record_opt(session, message.contact, OptKind.OPT_OUT, clock(), "twilio_21610")
    session.commit()
    return True
