"""The error answers every operation can give, added to the OpenAPI schema in one place.

Any request can be refused before its view's own rules run: bad input (400), no or a wrong
token (401), a missing role (403), an unknown record, path or page (404), a body over the limit
(413, writes). mes.api_errors gives each of them the one error shape, so the schema documents
them for every operation, and a client (or schemathesis, tests/test_api_fuzz.py) can rely on it.
Views still name the statuses their own rules add (409 and the like) with lines.api.common.
"""

from typing import Any

ERROR_REF = {"$ref": "#/components/schemas/ApiError"}
ANY_REQUEST = {
    "400": "Bad input.",
    "401": "Not authenticated.",
    "403": "Not allowed.",
    "404": "Not found.",
}
WITH_BODY = {"413": "The request body is too large."}
WRITES = {"post", "put", "patch"}


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict:
    """drf-spectacular postprocessing hook: add the shared error answers where a view has none."""
    if "ApiError" not in result.get("components", {}).get("schemas", {}):
        return result  # a schema without the API (none of our views ran): nothing to refer to
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            statuses = ANY_REQUEST | (WITH_BODY if method in WRITES else {})
            responses = operation.setdefault("responses", {})
            for status, description in statuses.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": ERROR_REF}},
                    },
                )
    return result
