"""Admin for the OPC UA tag map and the ingest's batches.

Tags are edited here as in the API: saves go through lines.services.tag_create / tag_update, so
node-id syntax, parameter-or-role and duplicates are checked the same way. The form runs the
service once in a savepoint that it rolls back, to show a refusal on the form, then the admin
saves for real. Ingest batches are read-only (written by the ingest only).
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from lines import services
from lines.admin import ReadOnlyAdmin
from lines.models import IngestBatch, Tag
from mes.errors import DomainError

_SETTINGS = ("enabled", "sampling_interval_ms", "queue_size", "description")


class _DryRun(Exception):
    pass


class TagForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["node_id", "station", "parameter", "role", *_SETTINGS]

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
            **settings,
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


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    form = TagForm
    list_display = ("node_id", "station", "parameter", "role", "enabled", "sampling_interval_ms")
    list_filter = ("enabled", "role", "station")
    search_fields = ("node_id", "parameter", "description")
    list_select_related = ("station",)

    def get_readonly_fields(self, request: HttpRequest, obj: Tag | None = None) -> tuple[str, ...]:
        return ("node_id", "station") if obj else ()  # a node keeps its id and station

    def save_model(self, request: HttpRequest, obj: Tag, form: TagForm, change: bool) -> None:
        obj.pk = form.apply().pk


@admin.register(IngestBatch)
class IngestBatchAdmin(ReadOnlyAdmin):
    list_display = ("batch_id", "source", "received_at", "samples", "rejected", "events")
    search_fields = ("batch_id", "source")
    date_hierarchy = "received_at"
