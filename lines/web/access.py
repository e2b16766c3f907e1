"""Who may do what on the station screens: reading needs a login, moving units a role that moves
units (mes.roles.MOVES_UNITS), as in the REST API."""

from mes import roles
from mes.web.access import role_required

moves_units = role_required(roles.MOVES_UNITS)
