"""The zh_Hans catalogues say what docs/glossary-zh.md says: a message that uses a glossary term
in English uses the glossary's Chinese word for it (hold = 扣留, never 暂停)."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
CATALOGUES = sorted(BASE.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))

# term (as in the glossary's first column) -> how it appears in an English message.
CHECKED = {
    "hold": r"\b(hold|holds|held)\b",
    "quarantine": r"\bquarantin",
    "disposition": r"\bdisposition",
    "release": r"\breleas",
    "rework": r"\brework",
    "scrap": r"\bscrap(s|ped)?\b",
    "use as is": r"\buse as is\b",
    "flag": r"\bflag",
    "gate": r"\bgate\b",
    "spec": r"\bspec\b",
    "recall": r"\brecall",
    "cell": r"\bcells?\b",
    "station": r"\bstations?\b",
    "step": r"\bsteps?\b",
    "PLC": r"\bPLC\b",
    "dry room": r"\bdry.room\b",
}
# Other words a message may rightly use for the term, and why.
ALSO = {
    "release": ["解除"],  # lifting a hold (解除扣留) is the release of a hold
    "spec": ["合格"],  # "in spec" is a result: 合格
    "NCR": ["NCR"],
}
# The English word in another sense: "MES_AUDIT_KEYS does not hold", "the chain no longer holds".
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfr]|\{\w*\}")
OTHER_SENSE = {
    "hold": ["does not hold", "no longer holds", "still holds", "hold time", "period holds"]
}


def glossary() -> dict[str, str]:
    rows = re.findall(
        r"^\| ([^|]+?) \| ([^|]+?) \|", (BASE / "docs/glossary-zh.md").read_text(), re.M
    )
    return {en: zh for en, zh in rows if en not in ("English", "---")}


def test_every_checked_term_is_in_the_glossary():
    assert set(CHECKED) <= set(glossary())
    assert glossary()["hold"] == "扣留"


def misused(po_path: Path, terms: dict[str, str]) -> list[str]:
    found = []
    for entry in polib.pofile(str(po_path)):
        text = entry.msgstr or " ".join(entry.msgstr_plural.values())
        english = PLACEHOLDER.sub(" ", entry.msgid)  # %(station)s names a value, not a word
        for term, pattern in CHECKED.items():
            if not re.search(pattern, english, re.I):
                continue
            if any(sense in entry.msgid.lower() for sense in OTHER_SENSE.get(term, [])):
                continue
            words = [terms[term], *ALSO.get(term, [])]
            if not any(word in text for word in words):
                found.append(f"{term} -> {terms[term]}: {entry.msgid!r} => {text!r}")
    return found


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_the_catalogue_follows_the_glossary(po_path):
    assert misused(po_path, glossary()) == []


def test_the_check_finds_a_hold_called_a_pause(tmp_path):
    po = polib.POFile()
    po.append(polib.POEntry(msgid="On hold", msgstr="暂停"))
    po.append(polib.POEntry(msgid="Hold %(pk)s", msgstr="扣留 %(pk)s"))
    po.save(str(tmp_path / "django.po"))
    assert misused(tmp_path / "django.po", glossary()) == ["hold -> 扣留: 'On hold' => '暂停'"]
