"""Admin for the OPC UA tag map and the ingest's batches.

Tags are edited here as in the API: saves go through lines.services.tag_create / tag_update, so
node-id syntax, parameter-or-role and duplicates are checked the same way. The list and the form
show how the running bridge reads each node (last value, last error) and a saved tag's warnings
(a parameter no spec judges), from lines.selectors.tag_health. The form runs the
service once in a savepoint that it rolls back, to show a refusal on the form, then the admin
saves for real. Ingest batches are read-only (written by the ingest only).
"""

import threading
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lines import services
from lines.admin import ReadOnlyAdmin
from lines.models import DeadbandKind, IngestBatch, Tag
from lines.selectors.tag_health import TagWarnings, tags_health
from mes.errors import DomainError

_SETTINGS = (
    "enabled",
    "sampling_interval_ms",
    "queue_size",
    "deadband_kind",
    "deadband_value",
    "description",
)


class _DryRun(Exception):
    pass


class TagForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["node_id", "station", "parameter", "role", *_SETTINGS]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("deadband_kind", "deadband_value"):  # left out: none, or as it was
            if name in self.fields:
                self.fields[name].required = False

    def apply(self) -> Tag:
        """Create or update the tag through the services, from the cleaned data."""
        data = self.cleaned_data
        settings: dict[str, Any] = {name: data.get(name) for name in _SETTINGS}
        if self.instance.pk:
            return services.tag_update(
                tag=Tag.objects.get(pk=self.instance.pk),
                parameter=data.get("parameter") or None,
                role=data.get("role") or None,
                **settings,
            )
        return services.tag_create(
            node_id=data.get("node_id", ""),
            station=data["station"],  # required: apply() runs on a valid form only
            parameter=data.get("parameter", ""),
            role=data.get("role", ""),
            **{name: value for name, value in settings.items() if value not in (None, "")},
        )

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if self.errors:
            return data
        try:
            with transaction.atomic():
                self.apply()
                raise _DryRun
        except _DryRun:
            pass
        except DomainError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data

    def _post_clean(self) -> None:
        pass  # the services validate (and the model's unique check would run before them)


_request_health = threading.local()  # one read of the bridges' status per admin page


def _health(tag: Tag) -> dict[str, Any] | None:
    found = getattr(_request_health, "tags", None)
    if found is None:
        found = _request_health.tags = tags_health()
    return found.get(tag.node_id)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    form = TagForm
    list_display = (
        "node_id",
        "station",
        "parameter",
        "role",
        "enabled",
        "sampling",
        "last_value",
        "last_error",
    )
    list_filter = ("enabled", "role", "station")
    search_fields = ("node_id", "parameter", "description")
    list_select_related = ("station",)

    class Media:
        css = {"all": ("lines/admin_tags.css",)}  # every column on the page at 1280 px

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        _request_health.tags = None
        try:
            return super().changelist_view(request, extra_context)
        finally:
            _request_health.tags = None

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: Any = None) -> HttpResponse:  # fmt: skip
        _request_health.tags = None
        try:
            return super().change_view(request, object_id, form_url, extra_context)
        finally:
            _request_health.tags = None

    def get_readonly_fields(self, request: HttpRequest, obj: Tag | None = None) -> tuple[str, ...]:
        # a node keeps its id and station
        return ("node_id", "station", "last_value", "last_error") if obj else ()

    # One column for how the server samples and filters a tag: the list must fit a tablet.
    @admin.display(description=gettext_lazy("sampling, deadband"))
    def sampling(self, tag: Tag) -> str:
        every = f"{tag.sampling_interval_ms} ms"
        if tag.deadband_kind == DeadbandKind.ABSOLUTE:
            shown = f"{every}, ±{tag.deadband_value:g}"
        elif tag.deadband_kind == DeadbandKind.PERCENT:
            shown = f"{every}, {tag.deadband_value:g} %"
        else:
            return every
        refused = (_health(tag) or {}).get("deadband_refused")
        if refused:
            return format_html(
                '{} <strong class="errornote-inline">{}</strong>',
                shown,
                _("refused by the server (%(code)s): every reading arrives") % {"code": refused},
            )
        return shown

    @admin.display(description=gettext_lazy("last value"))
    def last_value(self, tag: Tag) -> str:
        health = _health(tag)
        if health is None:
            return _("no bridge reads it")
        return health.get("last_value_at") or _("none yet")

    @admin.display(description=gettext_lazy("last error"))
    def last_error(self, tag: Tag) -> str:
        health = _health(tag)
        if health is None or not health.get("last_error"):
            return "—"
        if health.get("failing"):
            return format_html(
                '<strong class="errornote-inline">{}</strong> ({})',
                _("failing: %(error)s") % {"error": health["last_error"]},
                health.get("last_error_at") or "",
            )
        return f"{health['last_error']} ({health.get('last_error_at') or ''})"

    def save_model(self, request: HttpRequest, obj: Tag, form: TagForm, change: bool) -> None:
        saved = form.apply()
        obj.pk = saved.pk
        for warning in TagWarnings().of(saved):
            messages.warning(request, warning)


@admin.register(IngestBatch)
class IngestBatchAdmin(ReadOnlyAdmin):
    list_display = ("batch_id", "source", "received_at", "samples", "rejected", "events")
    search_fields = ("batch_id", "source")
    date_hierarchy = "received_at"
