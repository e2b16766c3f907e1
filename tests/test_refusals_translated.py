"""Every refusal a service raises reaches a person, so its message must go through translation.

Walks the product's code (not tests, not migrations) and fails on a DomainError family exception
built from a plain string, an f-string or a string formatted before translation: the zh-Hans screen
would show it in English (issue #18, item 4).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFUSALS = {"DomainError", "InvalidInput", "NotFound", "RuleViolation", "Forbidden", "Unavailable"}
TRANSLATORS = {"_", "gettext", "gettext_lazy", "ngettext", "pgettext", "npgettext", "format_lazy"}


def _product_modules() -> list[Path]:
    skip = {"migrations", "tests", "bench", ".venv", "var", "node_modules"}
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if not skip.intersection(path.relative_to(ROOT).parts)
        and (ROOT / path.relative_to(ROOT).parts[0] / "apps.py").exists()
    )


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _translated(message: ast.expr) -> bool:
    """True when the message is a translation call, or one formatted after translating."""
    if isinstance(message, ast.Call):
        if _name(message.func) in TRANSLATORS:
            return True
        # _("... {x}").format(x=...) / _("...") % {...} are translated before formatting.
        if isinstance(message.func, ast.Attribute) and message.func.attr == "format":
            return _translated(message.func.value)
        return True  # a helper that builds the message (checked where it is defined)
    if isinstance(message, ast.BinOp) and isinstance(message.op, ast.Mod):
        return _translated(message.left)
    # A name or expression: a message built elsewhere, its literal checked where it is written.
    # A literal, an f-string or a concatenation is not translated.
    return isinstance(message, ast.Name | ast.Attribute | ast.Subscript | ast.IfExp)


def _refusal_names(tree: ast.Module) -> set[str]:
    """The names this module binds to mes.errors' classes (DRF has a NotFound of its own)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "mes.errors":
            names |= {alias.asname or alias.name for alias in node.names if alias.name in REFUSALS}
    return names


def _untranslated_refusals(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    refusals = _refusal_names(tree)
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in refusals
        ):
            message = node.args[0] if node.args else None
            for keyword in node.keywords:
                if keyword.arg == "message":
                    message = keyword.value
            if message is not None and not _translated(message):
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_the_walk_finds_the_product():
    names = {path.relative_to(ROOT).parts[0] for path in _product_modules()}
    assert {"mes", "lines", "quality", "opcua_bridge"} <= names


@pytest.mark.parametrize(
    ("source", "bad"),
    [
        ('raise RuleViolation("on hold")', True),
        ('raise RuleViolation(f"{unit} is on hold")', True),
        ('raise InvalidInput("a" + b, field="x")', True),
        ('raise NotFound("%s unknown" % code)', True),
        ('raise RuleViolation(message="on hold")', True),
        ('raise RuleViolation(_("on hold"))', False),
        ('raise RuleViolation(_("{u} on hold").format(u=unit))', False),
        ('raise Forbidden(_("%(u)s") % {"u": unit}, code="x")', False),
    ],
)
def test_the_check_tells_translated_from_untranslated(tmp_path, source, bad):
    module = tmp_path / "module.py"
    imports = "from mes.errors import Forbidden, InvalidInput, NotFound, RuleViolation\n"
    module.write_text(imports + source + "\n")
    assert bool(_untranslated_refusals(module, tmp_path)) is bad


def test_no_refusal_is_raised_untranslated():
    found = [hit for path in _product_modules() for hit in _untranslated_refusals(path)]
    assert not found, "refusals raised without translation:\n" + "\n".join(found)
