"""Production checklist: ``grappe check --deploy`` is clean (not even a warning) in production configuration.

The documented production variables (docs/operations.md, "Production settings") are read by
``grappe.settings`` at import, so the command runs in a fresh process with them; the HTTPS switches are
off by default (a local plain-HTTP run works), which the second test checks. The in-process test runs
Django's deployment checks on settings overridden the same way (what the checks read at run time).
"""

import os
import subprocess
import sys

import pytest
from django.core.checks import run_checks
from django.core.checks.messages import WARNING

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k3J9-vQ2x_Lr8NwT5zYb0pHc7uAe4sGd1fMi6oKj-Rt9XqWn2VlE5yBh8ZaC3",
    "GRAPPE_REQUIRE_SECRET_KEY": "1",
    "ALLOWED_HOSTS": "grappe.example.be",
    "CSRF_TRUSTED_ORIGINS": "https://grappe.example.be",
    "SITE_URL": "https://grappe.example.be",
    "BEHIND_PROXY": "1",
    "SECURE_COOKIES": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "EMAIL_HOST": "smtp.example.be",
}
HTTPS_SWITCHES = (
    "SECURE_COOKIES",
    "GRAPPE_HTTPS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
)


def _check_deploy(tmp_path, env: dict[str, str]) -> subprocess.CompletedProcess:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never has it.
    ignored = {*PRODUCTION_ENV, *HTTPS_SWITCHES, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in ignored}
    base.pop("DJANGO_SETTINGS_MODULE", None)
    base.update(env, GRAPPE_DATA_DIR=str(tmp_path))
    return subprocess.run(
        [sys.executable, "-m", "grappe", "check", "--deploy", "--fail-level", "WARNING"],
        env=base,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_deploy_is_clean_with_the_documented_production_variables(tmp_path):
    result = _check_deploy(tmp_path, PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_https_switches_are_off_by_default(tmp_path):
    """Without the switches (a local plain-HTTP run), the deploy check names each missing one."""
    env = {k: v for k, v in PRODUCTION_ENV.items() if k not in HTTPS_SWITCHES}
    result = _check_deploy(tmp_path, env)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in output


@pytest.mark.django_db
def test_deployment_checks_in_process(settings, monkeypatch):
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)  # set by the browser tests, never deployed
    settings.DEBUG = False
    settings.SECRET_KEY = PRODUCTION_ENV["SECRET_KEY"]
    settings.ALLOWED_HOSTS = ["grappe.example.be"]
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.MAILERS = {
        "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {"host": "smtp.example.be"}}
    }
    issues = [m for m in run_checks(include_deployment_checks=True) if m.level >= WARNING and not m.is_silenced()]
    assert issues == []
