"""Phone numbers in one form (E.164), whatever way a CSV or Twilio writes them."""

from __future__ import annotations

import phonenumbers


class InvalidPhone(ValueError):
    """Not a phone number that can receive texts; `reason` says why, for import reports."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def normalise_phone(raw: str, region: str = "US") -> str:
    """'(626) 555-0134' -> '+16265550134'; raises InvalidPhone."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPhone("missing phone number")
    if len(text) > 40:
        raise InvalidPhone("phone number too long")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise InvalidPhone("not a phone number") from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
