"""A refusal's message in both languages, for an Interlock record that is read in either.

The services word their refusals in the active language when they raise. An interlock is decided
in the bridge's process and read later on a station screen in English or Chinese, so the refused
call is run once more under the other language, in a savepoint that is always rolled back: the
same state gives the same refusal, worded for the other reader.
"""

from collections.abc import Callable
from typing import TypeVar

from django.db import transaction
from django.utils import translation

from mes.errors import DomainError

T = TypeVar("T")
LANGUAGES = ("en", "zh-hans")


class _Undo(Exception):
    pass


def both_languages(call: Callable[[], T]) -> tuple[T | None, dict[str, str] | None]:
    """(result, None) when `call` succeeds; (None, {language: message}) when it refuses. Only
    the first run's writes stay. `call` is a lines service, atomic itself (or one that writes
    nothing): a refusal undoes its own writes, so the first run needs no savepoint of ours (two
    round trips per decision saved); the runs in the other languages are always rolled back."""
    try:
        with translation.override(LANGUAGES[0]):
            return call(), None
    except DomainError as exc:
        messages = {LANGUAGES[0]: exc.message}
    for language in LANGUAGES[1:]:
        messages[language] = _message_in(language, call) or messages[LANGUAGES[0]]
    return None, messages


def _message_in(language: str, call: Callable[[], object]) -> str:
    try:
        with translation.override(language), transaction.atomic():
            call()
            raise _Undo  # it passed this time: the state moved; keep the first wording
    except DomainError as exc:
        return exc.message
    except _Undo:
        return ""


def refusal(messages: dict[str, str]) -> dict:
    """The reason params of a refusal by a service: its message in each language."""
    return {"message": messages}
