"""Production settings, checked in a fresh process: settings are read once, at import."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def manage(*args, tmp_path, **env):
    # Only what a production process would be given: nothing leaks in from this test run.
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "VAR_DIR": str(tmp_path / "var"), **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        tmp_path=tmp_path,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        SITE_URL="https://careerrelay.example",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_debug_off_without_a_secret_key_fails_loudly(tmp_path):
    result = manage("check", tmp_path=tmp_path, DEBUG="0", SITE_URL="https://careerrelay.example")
    assert result.returncode != 0
    assert "ImproperlyConfigured: Set SECRET_KEY" in result.stderr


def test_debug_is_off_unless_asked_for_so_a_bare_start_refuses_without_a_secret_key(tmp_path):
    # Nothing configured at all, as on a server someone forgot to configure.
    result = manage("check", tmp_path=tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured: Set SECRET_KEY" in result.stderr


def test_debug_on_only_when_set_explicitly(tmp_path):
    debug_of = "from django.conf import settings; print('DEBUG', settings.DEBUG)"
    bare = manage("shell", "-c", debug_of, tmp_path=tmp_path, SECRET_KEY=secrets.token_urlsafe(50))
    assert bare.returncode == 0, bare.stderr
    assert "DEBUG False" in bare.stdout
    local = manage("shell", "-c", debug_of, tmp_path=tmp_path, DEBUG="1")
    assert local.returncode == 0, local.stderr
    assert "DEBUG True" in local.stdout


def test_production_urls_have_no_development_mailbox(tmp_path):
    resolve = (
        "from django.urls import resolve, Resolver404\n"
        "try:\n resolve('/dev/mailbox/')\nexcept Resolver404:\n print('no mailbox')"
    )
    result = manage(
        "shell",
        "-c",
        resolve,
        tmp_path=tmp_path,
        SECRET_KEY=secrets.token_urlsafe(50),
        SITE_URL="https://careerrelay.example",
    )
    assert result.returncode == 0, result.stderr
    assert "no mailbox" in result.stdout


def test_production_settings_set_the_language_cookie_secure_and_csp(tmp_path):
    show = (
        "from django.conf import settings as s; "
        "print(s.LANGUAGE_COOKIE_SECURE, s.LANGUAGE_COOKIE_SAMESITE, s.LANGUAGE_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_SECURE, 'csp.middleware.CSPMiddleware' in s.MIDDLEWARE)"
    )
    result = manage(
        "shell", "-c", show, tmp_path=tmp_path, SECRET_KEY=secrets.token_urlsafe(50), SITE_URL="https://c.example"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["True", "Lax", "True", "True", "True"]


def test_a_bad_boolean_fails_loudly(tmp_path):
    result = manage("check", tmp_path=tmp_path, DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr
