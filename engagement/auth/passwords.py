"""Password hashing with argon2id; the cost profile comes from configuration."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError


@cache
def hasher_for(profile: str) -> PasswordHasher:
    """A hasher for an argon2.profiles name: RFC_9106_LOW_MEMORY, or CHEAPEST in tests."""
    return PasswordHasher.from_parameters(getattr(profiles, profile))


def hash_password(hasher: PasswordHasher, password: str) -> str:
    return hasher.hash(password)


def verify_password(hasher: PasswordHasher, stored: str | None, password: str) -> bool:
    """True when the password matches; spends the same time when there is no stored hash."""
    try:
        return hasher.verify(stored or _decoy(hasher), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


@cache
def _decoy(hasher: PasswordHasher) -> str:
    """A hash to verify against when an account has none, so timing does not tell."""
    return hasher.hash("decoy password: nobody has this one")
