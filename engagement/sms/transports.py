"""Ways a text leaves: Twilio's real client, or the console for development."""

from __future__ import annotations

import sys
import uuid
from typing import TextIO

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from .outbox import SendError, Transport

TWILIO_API = "https://api.twilio.com"


def masked(phone: str) -> str:
    """Enough of a number to tell test phones apart, never the number itself."""
    return "***" + phone[-4:]


class ConsoleTransport:
    """Prints each text (masked number) instead of sending it: `make run` and `simulate`."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stdout

    def send(self, to: str, body: str, status_callback: str | None) -> str:
        print(f"--- SMS to {masked(to)} ---\n{body}\n", file=self.stream, flush=True)
        return "CONSOLE" + uuid.uuid4().hex[:26]


class _BaseUrlHttpClient(TwilioHttpClient):
    """Twilio's own HTTP client, pointed at another host (a local fake in tests)."""

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        if url.startswith(TWILIO_API):
            url = self.base_url + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


class TwilioTransport:
    """The real twilio Client; `base_url` replaces https://api.twilio.com when given."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        base_url: str | None = None,
        timeout: float = 15.0,
    ):
        if not (from_number or messaging_service_sid):
            raise ValueError("set TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
        http_client = (
            _BaseUrlHttpClient(base_url, timeout=timeout)
            if base_url
            else TwilioHttpClient(timeout=timeout)
        )
        self.client = Client(account_sid, auth_token, http_client=http_client)
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid

    def send(self, to: str, body: str, status_callback: str | None) -> str:
        options = {"to": to, "body": body, "smart_encoded": True}
        if self.messaging_service_sid:
            options["messaging_service_sid"] = self.messaging_service_sid
        else:
            options["from_"] = self.from_number
        if status_callback:
            options["status_callback"] = status_callback
        try:
            return self.client.messages.create(**options).sid
        except TwilioRestException as error:
            temporary = error.status == 429 or error.status >= 500
            raise SendError(error.msg or "Twilio error", error.code, temporary=temporary) from error
        except requests.exceptions.ConnectTimeout as error:
            raise SendError("Twilio not reachable", temporary=True) from error
        except requests.exceptions.Timeout as error:
            # The request may have been accepted before the answer was lost: no retry.
            raise SendError("no answer from Twilio", ambiguous=True) from error
        except requests.exceptions.ConnectionError as error:
            raise SendError("Twilio not reachable", temporary=True) from error


def transport_from_config(config) -> Transport:
    kind = config["SMS_TRANSPORT"]
    if kind == "console":
        return ConsoleTransport()
    if kind == "twilio":
        return TwilioTransport(
            config["TWILIO_ACCOUNT_SID"],
            config["TWILIO_AUTH_TOKEN"],
            from_number=config.get("TWILIO_FROM_NUMBER"),
            messaging_service_sid=config.get("TWILIO_MESSAGING_SERVICE_SID"),
            base_url=config.get("TWILIO_API_BASE_URL"),
        )
    raise ValueError(f"unknown SMS_TRANSPORT {kind!r} (twilio or console)")
