"""The screens' pages, read from the URLconf: every route that an app's web/urls.py declares
(mes.web, lines.web, quality.web and any later <app>.web). A page added to a web URLconf is
found here without anyone listing it; the tests that use this then have to say how to fill
its URL parameters, or fail."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str
    route: str  # "quality/flags/<int:flag_id>/"
    parameters: tuple[str, ...]  # ("flag_id",)

    def path(self, values: dict[str, object]) -> str:
        path = self.route
        for parameter, converter in self._converters():
            path = path.replace(f"<{converter}{parameter}>", str(values[parameter]))
        return "/" + path

    def _converters(self) -> list[tuple[str, str]]:
        found = []
        for piece in self.route.split("<")[1:]:
            inside = piece.split(">")[0]
            converter, _, parameter = inside.rpartition(":")
            found.append((parameter, f"{converter}:" if converter else ""))
        return found


def _walk(patterns, prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield entry, prefix + str(entry.pattern), entry.callback.__module__


def screen_routes() -> list[Route]:
    """Every route whose view lives in an app's web package (<app>.web.*): the screens. The
    admin, the REST API, health/metrics and Django's own set_language are not ours to check."""
    routes = []
    for entry, route, module in _walk(get_resolver().url_patterns):
        if module.split(".")[1:2] != ["web"]:
            continue
        parameters = tuple(entry.pattern.converters)
        routes.append(Route(entry.name or route, route, parameters))
    return routes
