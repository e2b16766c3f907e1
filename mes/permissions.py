"""DRF permission classes built on the roles in mes.roles. Reads need a login; writes need a role."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from mes.roles import DECIDES_QUALITY, MAPS_TAGS, MOVES_UNITS, PLANS_PRODUCTION, user_roles


class _RoleForWrites(BasePermission):
    roles: frozenset[str] = frozenset()
    message = _("Your role does not allow this change.")

    def has_permission(self, request, view) -> bool:  # noqa: ANN001 (DRF signature)
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        return bool(user_roles(request.user) & self.roles)


class CanMoveUnits(_RoleForWrites):
    """Operators, integrations, quality engineers and admins may start, complete and consume."""

    roles = MOVES_UNITS
    message = _("Moving units needs the operator, integration or quality engineer role.")


class CanDecideQuality(_RoleForWrites):
    """Only quality engineers (and admins) change specs, holds and dispositions, or master data."""

    roles = DECIDES_QUALITY
    message = _("This change needs the quality engineer role.")


class CanMapTags(_RoleForWrites):
    """Quality engineers, integrations (PLC integrators map tags) and admins; not operators."""

    roles = MAPS_TAGS
    message = _("Mapping OPC UA tags needs the quality engineer or integration role.")


class CanPlanProduction(_RoleForWrites):
    """Quality engineers and admins edit the shift calendar; everyone signed in reads it."""

    roles = PLANS_PRODUCTION
    message = _("Editing the shift calendar needs the quality engineer or admin role.")
