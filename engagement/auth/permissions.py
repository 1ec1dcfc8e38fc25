"""Who may do what, in one place: views, exports and the API all ask `can`.

A permission may be scoped to a result area (code "A"-"D") and/or a school
(code). Working Group members hold their permissions only for their result
areas, school staff only for their schools; the other roles hold theirs
everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import wraps
from typing import Any

from engagement.models import Role, User


class Permission(StrEnum):
    MANAGE_USERS = "users:manage"
    READ_AUDIT = "audit:read"
    DESIGN_SURVEYS = "surveys:design"  # create, edit, translate, import, export definitions
    RUN_SURVEYS = "surveys:run"  # publish, schedule, close, distribute, consent settings
    READ_CONSENT = "consent:read"  # the proctor's list of parents' decisions
    READ_RESPONSE_RATES = "responses:rates"
    READ_REPORTS = "reports:read"
    EXPORT_REPORTS = "reports:export"
    # Comments of groups at or above the survey's minimum cell size; below it nobody
    # reads them, since a handful of comments can identify the family who wrote one.
    READ_COMMENTS = "comments:read"
    # Baselines and targets per indicator and year; administrative values imported from CSV.
    MANAGE_INDICATORS = "indicators:manage"
    # Play a phone against the real conversation engine (its answers are recorded): admins only.
    SIMULATE_SMS = "sms:simulate"


READERS = frozenset({Permission.READ_REPORTS, Permission.EXPORT_REPORTS, Permission.READ_COMMENTS})

# Roles that hold a permission everywhere.
UNSCOPED: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.DESIGNER: frozenset(
        {
            Permission.DESIGN_SURVEYS,
            Permission.RUN_SURVEYS,
            Permission.READ_CONSENT,
            Permission.READ_RESPONSE_RATES,
            Permission.MANAGE_INDICATORS,
        }
    ),
    Role.LEADERSHIP: READERS | {Permission.READ_RESPONSE_RATES},
}
# Roles that hold a permission only inside their assigned result areas.
BY_RESULT_AREA: dict[Role, frozenset[Permission]] = {
    Role.WORKING_GROUP: READERS,
}
# Roles that hold a permission only at their assigned schools.
BY_SCHOOL: dict[Role, frozenset[Permission]] = {
    Role.SCHOOL_STAFF: READERS | {Permission.READ_CONSENT, Permission.READ_RESPONSE_RATES},
}


@dataclass(frozen=True)
class Scope:
    """Where a user holds a permission: everywhere, or these result areas / schools."""

    everywhere: bool = False
    result_areas: frozenset[str] = frozenset()
    schools: frozenset[str] = frozenset()

    @property
    def nowhere(self) -> bool:
        return not (self.everywhere or self.result_areas or self.schools)


def _usable(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def scope_of(user: User | None, permission: Permission | str) -> Scope:
    """Where `user` holds `permission`; reports use it to filter their lists."""
    permission = Permission(permission)
    if not _usable(user):
        return Scope()
    roles = user.roles
    if any(permission in UNSCOPED.get(role, ()) for role in roles):
        return Scope(everywhere=True)
    areas = (
        frozenset(area.code for area in user.result_areas)
        if any(permission in BY_RESULT_AREA.get(role, ()) for role in roles)
        else frozenset()
    )
    schools = (
        frozenset(school.code for school in user.schools)
        if any(permission in BY_SCHOOL.get(role, ()) for role in roles)
        else frozenset()
    )
    return Scope(result_areas=areas, schools=schools)


def can(
    user: User | None,
    permission: Permission | str,
    *,
    result_area: str | None = None,
    school: str | None = None,
) -> bool:
    """Whether `user` may use `permission` on this result area and school.

    A scoped user needs the scope named: a Working Group member reads result
    area A only when `result_area="A"` is given, school staff read a school
    only when `school=` is one of theirs. Leaving the scope out means "the
    whole district", which only unscoped roles may read.
    """
    scope = scope_of(user, permission)
    if scope.everywhere:
        return True
    if result_area is not None and result_area in scope.result_areas:
        return True
    return school is not None and school in scope.schools


def sees_surveys(user: User | None) -> bool:
    """Whether the survey list has anything for `user`: they design or run surveys, or see rates."""
    return (
        can(user, Permission.DESIGN_SURVEYS)
        or can(user, Permission.RUN_SURVEYS)
        or not scope_of(user, Permission.READ_RESPONSE_RATES).nowhere
    )


def sees_reports(user: User | None) -> bool:
    """Whether the reports front page has anything for `user`: results to read or targets to set."""
    return not scope_of(user, Permission.READ_REPORTS).nowhere or can(
        user, Permission.MANAGE_INDICATORS
    )


# --- Flask side: the one decorator views, exports and API routes use ------------------

ScopeSource = Callable[[dict[str, Any]], str | None]


def view_arg(name: str) -> ScopeSource:
    """Take a scope from the URL rule, e.g. /reports/area/<area>."""
    return lambda view_args: view_args.get(name)


def query_arg(name: str) -> ScopeSource:
    """Take a scope from the query string, e.g. ?school=jackson."""
    from flask import request

    return lambda _view_args: request.args.get(name) or None


def require_permission(
    permission: Permission | str,
    *,
    result_area: ScopeSource | None = None,
    school: ScopeSource | None = None,
):
    """Refuse a request unless the logged-in user (or API token) can use `permission`.

    Anonymous: HTML pages send to the login page, /api/ answers 401. Logged in
    but not allowed: 403.
    """
    permission = Permission(permission)

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            from flask import abort, request
            from flask_login import current_user

            from engagement.extensions import login_manager

            if not current_user.is_authenticated:
                if request.path.startswith("/api/"):
                    abort(401)
                return login_manager.unauthorized()
            view_args = dict(request.view_args or {})
            allowed = can(
                current_user,
                permission,
                result_area=result_area(view_args) if result_area else None,
                school=school(view_args) if school else None,
            )
            if not allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_permission = permission
        return wrapped

    return decorate
