"""The audit keys come from the environment: malformed, weak, placeholder or missing keys stop
the MES from starting with DEBUG off, and the public development key is used only with it on."""

import os
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from mes.audit_keys import DEV_KEY_ID, DEV_KEYS, audit_keys
from tests.fresh_process import manage_py

ROOT = Path(__file__).resolve().parent.parent.parent
STRONG = "s" * 40


def test_keys_and_the_current_id_are_read_with_rotation():
    keys, current = audit_keys(raw=f"k1:{STRONG},k2:{'t' * 40}", current="k2", debug=False)
    assert (keys, current) == ({"k1": STRONG.encode(), "k2": b"t" * 40}, "k2")
    assert audit_keys(raw=f"only:{STRONG}", current="", debug=False)[1] == "only"


def test_debug_without_keys_uses_the_public_development_key():
    assert audit_keys(raw="", current="", debug=True) == (DEV_KEYS, DEV_KEY_ID)


@pytest.mark.parametrize(
    ("raw", "current", "message"),
    [
        ("", "", "must be set when DEBUG is off"),
        ("k1", "", "id:secret"),
        ("k1:short", "", "shorter than 32"),
        (f"k1:{STRONG},k1:{STRONG}", "", "twice"),
        (f"k1:{STRONG},k2:{STRONG}", "", "must name one of"),
        (f"k1:{STRONG}", "k9", "must name one of"),
        ("k1:CHANGE-ME-to-a-random-secret-of-48-characters", "", "placeholder"),
        (f"dev:{DEV_KEYS[DEV_KEY_ID].decode()}", "", "public"),
    ],
)
def test_production_refuses_missing_malformed_or_public_keys(raw, current, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        audit_keys(raw=raw, current=current, debug=False)


def test_production_settings_refuse_to_start_without_audit_keys(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MES_AUDIT_KEY")}
    env.update(DEBUG="false", SECRET_KEY="x" * 60, MES_VAR_DIR=str(tmp_path))
    result = manage_py(env, "check")
    assert result.returncode != 0
    assert "MES_AUDIT_KEYS must be set when DEBUG is off" in result.stderr
