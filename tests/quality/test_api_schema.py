"""The OpenAPI schema of the whole API, quality endpoints included, builds without a warning."""

import yaml
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS

QUALITY_PATHS = {
    "/api/v1/specs/": {"get", "post"},
    "/api/v1/specs/{id}/": {"get"},
    "/api/v1/specs/{id}/revise/": {"post"},
    "/api/v1/flags/": {"get"},
    "/api/v1/flags/{id}/": {"get"},
    "/api/v1/holds/": {"get", "post"},
    "/api/v1/holds/{id}/": {"get"},
    "/api/v1/holds/{id}/members/": {"get"},
    "/api/v1/holds/impact/": {"get"},
    "/api/v1/dispositions/": {"get", "post"},
    "/api/v1/dispositions/{id}/": {"get"},
    "/api/v1/ncrs/": {"get", "post"},
    "/api/v1/ncrs/{id}/": {"get"},
    "/api/v1/ncrs/{id}/close/": {"post"},
    "/api/v1/gates/": {"get", "post"},
    "/api/v1/gates/{id}/": {"get"},
    "/api/v1/spc/": {"get"},
    "/api/v1/audit/": {"get"},
    "/api/v1/audit/{id}/": {"get"},
}


def test_the_schema_validates_without_warnings_and_lists_the_quality_routes(tmp_path):
    GENERATOR_STATS.reset()  # warnings of schemas built earlier in this process do not count
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    paths = yaml.safe_load(target.read_text())["paths"]
    methods = {path: set(paths[path]) - {"parameters"} for path in QUALITY_PATHS if path in paths}
    assert methods == QUALITY_PATHS
