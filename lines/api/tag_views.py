"""Tag map endpoints: list and read the OPC UA tags, map a node (create), change or disable one.

Reads need a login; writes need the quality engineer, integration or admin role (CanMapTags: PLC
integrators map tags, operators do not). A tag is never deleted (DELETE is 405): samples keep
pointing at its node id, so a node no longer read is disabled with PATCH `{"enabled": false}`.
Writes go through lines.services.tag_create / tag_update. Errors in the shape of mes.api_errors:
400 malformed (node id, parameter and role, both or neither, settings out of range: field
named), 404 unknown station or tag id (field named), 409 node id already mapped (`node_id`).
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from lines import services
from lines.api import inputs, resolve
from lines.api.common import ID_PATH, WRITE_ERRORS, InputForms, path_id, valid, with_errors
from lines.api.filters import TagFilter
from lines.api.serializers import TagSerializer
from lines.models import Tag
from mes.permissions import CanMapTags


@extend_schema_view(
    list=extend_schema(summary="List the tag map (paginated, filtered)"),
    retrieve=extend_schema(summary="A tag by id", responses=with_errors({200: TagSerializer}, 404)),
)
class TagViewSet(
    InputForms, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """OPC UA nodes the bridge subscribes to, each a station parameter or a role."""

    queryset = Tag.objects.select_related("station").order_by("station__code", "node_id")
    serializer_class = TagSerializer
    filterset_class = TagFilter
    permission_classes = [CanMapTags]
    lookup_value_regex = ID_PATH
    input_serializers = {"create": inputs.TagCreateInput, "partial_update": inputs.TagUpdateInput}

    def get_object(self) -> Tag:
        tag = resolve.one(Tag, "id", id=path_id(Tag, self.kwargs["pk"]))
        self.check_object_permissions(self.request, tag)
        return tag

    @extend_schema(
        summary="Map an OPC UA node to a station parameter or a role",
        request=inputs.TagCreateInput,
        responses=with_errors({201: TagSerializer}, *WRITE_ERRORS),
    )
    def create(self, request: Request) -> Response:
        data = valid(inputs.TagCreateInput, request.data)
        tag = services.tag_create(**data)
        return Response(TagSerializer(tag).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a tag's settings or what it carries; disable it with enabled=false",
        request=inputs.TagUpdateInput,
        responses=with_errors({200: TagSerializer}, *WRITE_ERRORS),
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        data = valid(inputs.TagUpdateInput, request.data)
        tag = services.tag_update(tag=self.get_object(), **data)
        return Response(TagSerializer(tag).data)
