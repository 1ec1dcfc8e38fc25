"""Phone numbers in one form (E.164), whatever way a CSV or Twilio writes them."""

from __future__ import annotations

import re

import phonenumbers

# 555-0100 to 555-0199 in any North American area code: reserved for fiction, never a
# real phone. Texts from them are practice (the simulator): they never become responses.
_PRACTICE = re.compile(r"\+1\d{3}55501\d\d")
# The same numbers in SQL: a normalised number has only digits after "+", so "_" is a digit.
PRACTICE_LIKE = "+1___55501__"


class InvalidPhone(ValueError):
    """Not a phone number that can receive texts; `reason` says why (English), `code` which."""

    def __init__(self, reason: str, code: str):
        super().__init__(reason)
        self.reason = reason
        self.code = code


def normalise_phone(raw: str, region: str = "US") -> str:
    """'(626) 555-0134' -> '+16265550134'; raises InvalidPhone."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPhone("missing phone number", "missing_phone")
    if len(text) > 40:
        raise InvalidPhone("phone number too long", "phone_too_long")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise InvalidPhone("not a phone number", "not_a_phone") from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("not a valid phone number", "invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(phone: str) -> str:
    """A number as staff pages may show it: only its last two digits."""
    digits = [c for c in phone or "" if c.isdigit()]
    return "••• ••• ••" + "".join(digits[-2:]) if len(digits) >= 4 else "•••"


def is_practice_phone(phone: str) -> bool:
    """Whether a normalised number is a practice number (see _PRACTICE)."""
    return _PRACTICE.fullmatch(phone or "") is not None


def display_phone(number: str, region: str = "US") -> str:
    """'+16265550100' -> '(626) 555-0100': how a number is printed for people to dial."""
    parsed = phonenumbers.parse(normalise_phone(number, region), region)
    if phonenumbers.region_code_for_number(parsed) == region:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
