"""API fixtures: tokens for the personas, a cache cleared between tests (rate limiter, ETags)."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from grappe.accounts import tokens


@pytest.fixture(autouse=True)
def _clear_cache(request):
    """The cache is the database by default: only tests with database access touch it."""
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(request.fixturenames)
    if uses_db:
        request.getfixturevalue("db" if "transactional_db" not in request.fixturenames else "transactional_db")
        cache.clear()
    yield
    if uses_db:
        cache.clear()


def make_token(user, scopes, **extra) -> str:
    _t, plaintext = tokens.token_create(actor=None, user=user, name="test", scopes=scopes, **extra)
    return plaintext


def bearer(plaintext: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


@pytest.fixture
def soon():
    return timezone.now() + dt.timedelta(days=1)
