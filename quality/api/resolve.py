"""Look-ups of the quality records an API request names, by id (or code, for recipes and routes).

Like lines.api.resolve, which this builds on: a look-up that finds nothing raises
mes.errors.NotFound naming the request field, so the API answers 404 with that field in
`error.fields`.
"""

from collections.abc import Sequence

from django.utils.translation import gettext as _

from lines.api.resolve import one
from lines.models import Recipe, Route, RouteStep
from mes.errors import NotFound
from quality.models import Flag, Hold, Spec


def spec(spec_id: int, *, field: str = "spec") -> Spec:
    """The spec with this id."""
    return one(Spec, field, id=spec_id)


def flag(flag_id: int, *, field: str = "flag") -> Flag:
    """The flag with this id, with what a disposition signs of it (its unit) loaded."""
    found = Flag.objects.select_related("unit").filter(id=flag_id).first()
    if found is None:
        raise NotFound(_("No flag with id %(id)s.") % {"id": flag_id}, field=field)
    return found


def flags(flag_ids: Sequence[int], *, field: str = "flags") -> list[Flag]:
    """The flags with these ids, in the order given; the first unknown id is a 404."""
    found = Flag.objects.in_bulk(list(flag_ids))
    missing = [flag_id for flag_id in flag_ids if flag_id not in found]
    if missing:
        raise NotFound(_("No flag with id %(id)s.") % {"id": missing[0]}, field=field)
    return [found[flag_id] for flag_id in dict.fromkeys(flag_ids)]


def hold(hold_id: int, *, field: str = "hold") -> Hold:
    """The hold with this id, with its unit (a disposition signs the unit's identifier)."""
    found = Hold.objects.select_related("unit").filter(id=hold_id).first()
    if found is None:
        raise NotFound(_("No hold with id %(id)s.") % {"id": hold_id}, field=field)
    return found


def recipe(code: str, version: int | None, *, field: str = "recipe") -> Recipe:
    """The recipe of this code: the version given, else its newest active version."""
    versions = Recipe.objects.filter(code=code)
    if version is not None:
        found = versions.filter(version=version).first()
    else:
        found = versions.filter(active=True).order_by("-version").first()
    if found is None:
        if version is not None:
            message = _("No recipe %(code)s with version %(version)s.")
        else:
            message = _("No recipe %(code)s with an active version.")
        raise NotFound(message % {"code": repr(code), "version": version}, field=field)
    return found


def route_step(route: Route, sequence: int, *, field: str = "step") -> RouteStep:
    """The step with this sequence number on the route."""
    found = RouteStep.objects.filter(route=route, sequence=sequence).first()
    if found is None:
        raise NotFound(
            _("Route %(route)s has no step %(sequence)s.")
            % {"route": route.code, "sequence": sequence},
            field=field,
        )
    return found
