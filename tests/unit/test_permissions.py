"""The permission model, for every role: views, exports and the API all ask `can`."""

from types import SimpleNamespace

import pytest

from engagement.auth.permissions import Permission, can, scope_of
from engagement.models import Role


def user(*roles, areas=(), schools=(), active=True):
    return SimpleNamespace(
        is_authenticated=True,
        is_active=active,
        roles=frozenset(roles),
        result_areas=[SimpleNamespace(code=a) for a in areas],
        schools=[SimpleNamespace(code=s) for s in schools],
    )


ADMIN = user(Role.ADMIN)
DESIGNER = user(Role.DESIGNER)
WORKING_GROUP = user(Role.WORKING_GROUP, areas=["B"])
SCHOOL_STAFF = user(Role.SCHOOL_STAFF, schools=["jackson"])
LEADERSHIP = user(Role.LEADERSHIP)
P = Permission

# (user, permission, result area, school) -> allowed
MATRIX = [
    # administrators: everything, including users and the audit log
    *[(ADMIN, p, None, None, True) for p in Permission],
    # designers: surveys, not users or reports
    (DESIGNER, P.DESIGN_SURVEYS, None, None, True),
    (DESIGNER, P.RUN_SURVEYS, None, None, True),
    (DESIGNER, P.MANAGE_USERS, None, None, False),
    (DESIGNER, P.READ_AUDIT, None, None, False),
    (DESIGNER, P.READ_REPORTS, None, None, False),
    (DESIGNER, P.EXPORT_REPORTS, "A", None, False),
    (DESIGNER, P.READ_COMMENTS, None, None, False),
    # Working Group members: their result area's pages, exports and comments, nothing else
    (WORKING_GROUP, P.READ_REPORTS, "B", None, True),
    (WORKING_GROUP, P.READ_REPORTS, "B", "field", True),
    (WORKING_GROUP, P.EXPORT_REPORTS, "B", None, True),
    (WORKING_GROUP, P.READ_COMMENTS, "B", None, True),
    (WORKING_GROUP, P.READ_REPORTS, "A", None, False),
    (WORKING_GROUP, P.EXPORT_REPORTS, "C", None, False),
    (WORKING_GROUP, P.READ_COMMENTS, "D", None, False),
    (WORKING_GROUP, P.READ_REPORTS, None, None, False),  # district-wide, all areas
    (WORKING_GROUP, P.READ_REPORTS, None, "jackson", False),
    (WORKING_GROUP, P.DESIGN_SURVEYS, None, None, False),
    (WORKING_GROUP, P.MANAGE_USERS, None, None, False),
    # school staff: their school only
    (SCHOOL_STAFF, P.READ_REPORTS, None, "jackson", True),
    (SCHOOL_STAFF, P.READ_REPORTS, "A", "jackson", True),
    (SCHOOL_STAFF, P.EXPORT_REPORTS, None, "jackson", True),
    (SCHOOL_STAFF, P.READ_CONSENT, None, "jackson", True),
    (SCHOOL_STAFF, P.READ_REPORTS, None, "field", False),
    (SCHOOL_STAFF, P.READ_REPORTS, "A", None, False),
    (SCHOOL_STAFF, P.READ_REPORTS, None, None, False),
    (SCHOOL_STAFF, P.READ_CONSENT, None, "field", False),
    (SCHOOL_STAFF, P.DESIGN_SURVEYS, None, None, False),
    # Leadership Council: every summary, no comments below threshold, no design
    (LEADERSHIP, P.READ_REPORTS, None, None, True),
    (LEADERSHIP, P.READ_REPORTS, "C", "field", True),
    (LEADERSHIP, P.EXPORT_REPORTS, None, None, True),
    (LEADERSHIP, P.READ_COMMENTS, "A", None, True),
    (LEADERSHIP, P.DESIGN_SURVEYS, None, None, False),
    (LEADERSHIP, P.RUN_SURVEYS, None, None, False),
    (LEADERSHIP, P.MANAGE_USERS, None, None, False),
]


@pytest.mark.parametrize(("who", "permission", "area", "school", "allowed"), MATRIX)
def test_role_matrix(who, permission, area, school, allowed):
    assert can(who, permission, result_area=area, school=school) is allowed


@pytest.mark.parametrize("permission", list(Permission))
def test_nobody_and_deactivated_accounts_can_do_nothing(permission):
    assert not can(None, permission)
    assert not can(SimpleNamespace(is_authenticated=False), permission)
    assert not can(user(Role.ADMIN, active=False), permission)


def test_roles_add_up():
    both = user(Role.WORKING_GROUP, Role.SCHOOL_STAFF, areas=["A"], schools=["field"])
    assert can(both, P.READ_REPORTS, result_area="A")
    assert can(both, P.READ_REPORTS, school="field")
    assert not can(both, P.READ_REPORTS, result_area="B", school="jackson")


def test_scope_tells_reports_what_to_list():
    assert scope_of(LEADERSHIP, P.READ_REPORTS).everywhere
    assert scope_of(WORKING_GROUP, P.READ_REPORTS).result_areas == {"B"}
    assert scope_of(SCHOOL_STAFF, P.READ_REPORTS).schools == {"jackson"}
    assert scope_of(DESIGNER, P.READ_REPORTS).nowhere
