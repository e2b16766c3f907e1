"""The four roles, as Django groups. Created by a data migration (lines 0002) and by seed_demo.

operator: moves units (start, complete, consume, scrap); quality_engineer: also specs, holds,
dispositions (quality app); integration: PLC/ERP token users, may move units; admin: everything.
"""

from django.contrib.auth.models import AnonymousUser, User

OPERATOR = "operator"
QUALITY_ENGINEER = "quality_engineer"
INTEGRATION = "integration"
ADMIN = "admin"

ALL_ROLES = (OPERATOR, QUALITY_ENGINEER, INTEGRATION, ADMIN)
# Who may move units through the line. Quality engineers may too: they rework and disposition.
MOVES_UNITS = frozenset({OPERATOR, QUALITY_ENGINEER, INTEGRATION, ADMIN})
DECIDES_QUALITY = frozenset({QUALITY_ENGINEER, ADMIN})
# PLC integrators map OPC UA tags; quality engineers may too; operators may not.
MAPS_TAGS = frozenset({QUALITY_ENGINEER, INTEGRATION, ADMIN})
# The shift calendar (planned production time, OEE's denominator): engineers who run the line's
# improvement work and admins; operators may not move the goalposts of their own OEE.
PLANS_PRODUCTION = frozenset({QUALITY_ENGINEER, ADMIN})
# The details behind /health/ (hosts, paths, errors) are for those who run the plant's IT.
SEES_OPS_DETAILS = frozenset({INTEGRATION, ADMIN})


def user_roles(user: User | AnonymousUser | None) -> frozenset[str]:
    """The role names a user holds; a superuser holds them all."""
    if user is None or not user.is_authenticated:
        return frozenset()
    if user.is_superuser:
        return frozenset(ALL_ROLES)
    return frozenset(user.groups.values_list("name", flat=True))
