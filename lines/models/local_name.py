"""A name in the plant's two languages: what a line, station, product, material, route or step is
called in English (`name`) and in Simplified Chinese (`name_zh`, optional)."""

from django.db import models
from django.utils.translation import get_language


def reads_chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


class LocalName(models.Model):
    """`display_name` is the name in the active language: `name_zh` for a Chinese reader when the
    plant gave one, else `name` (names are data, typed by the plant, not gettext strings)."""

    name_zh = models.CharField(max_length=120, blank=True, default="")

    class Meta:
        abstract = True

    @property
    def display_name(self) -> str:
        name: str = self.name  # type: ignore[attr-defined]  # each model declares its own
        return self.name_zh if self.name_zh and reads_chinese() else name
