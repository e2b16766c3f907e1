"""Who may open the quality screens: quality engineers and admins (mes.roles.DECIDES_QUALITY)."""

from mes import roles
from mes.web.access import role_required

quality_required = role_required(
    roles.DECIDES_QUALITY, "The quality screens are for quality engineers."
)
