"""Recipe download: POST /api/v1/stations/{code}/recipe-download/ {"recipe": code, "version"?}.

Quality engineers, integrations and admins (CanMapTags). Writes every set-point tag of the
station with the recipe's value through lines.services.recipe_download, which reads each back
and records the download. Errors in the shape of mes.api_errors: 400 malformed, 404 unknown
station or recipe (version), 409 keys and tags that do not match or a write the PLC refused,
503 a PLC that does not answer; nothing is reported written that the PLC did not confirm.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lines.api import resolve
from lines.api.common import count, valid, with_errors
from lines.services.recipes import recipe_download, recipe_for_download
from mes.actors import request_actor
from mes.permissions import CanMapTags


class RecipeDownloadInput(serializers.Serializer):
    recipe = serializers.CharField(max_length=32, help_text="Recipe code.")
    version = count(required=False, help_text="Default: the latest active version.")


class SetpointResult(serializers.Serializer):
    parameter = serializers.CharField()
    node_id = serializers.CharField()
    value = serializers.FloatField()
    read_back = serializers.JSONField(allow_null=True)
    ok = serializers.BooleanField()


class RecipeDownloadResult(serializers.Serializer):
    recipe = serializers.CharField()
    version = serializers.IntegerField()
    setpoints = SetpointResult(many=True)


class RecipeDownloadView(APIView):
    """Write a recipe's set-points to a station's PLC and read them back."""

    permission_classes = [CanMapTags]

    @extend_schema(
        summary="Download a recipe's set-points to a station's PLC (read back, audited)",
        request=RecipeDownloadInput,
        responses=with_errors({200: RecipeDownloadResult}, 400, 403, 404, 409, 503),
    )
    def post(self, request: Request, code: str) -> Response:
        station = resolve.station(code, field="code")
        data = valid(RecipeDownloadInput, request.data)
        recipe = recipe_for_download(code=data["recipe"], version=data.get("version"))
        record = recipe_download(station=station, recipe=recipe, by=request_actor(request))
        setpoints = [
            {key: entry.get(key) for key in ("parameter", "node_id", "value", "read_back", "ok")}
            for entry in record.setpoints
        ]
        return Response({"recipe": recipe.code, "version": recipe.version, "setpoints": setpoints})
