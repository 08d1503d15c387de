"""Shared fixtures: the personas every view test walks through.

- ``staff_user`` / ``admin_user``: the cluster team;
- ``observer_user``: a partner body that reads dashboards and reports;
- ``member_a`` / ``member_b``: member users acting for ``org_a`` / ``org_b``;
- anonymous visitors use the plain ``client``.
"""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test import Client
from django.test.testcases import LiveServerThread
from django.utils import translation

from grappe.accounts.models import User
from grappe.ecosystem import services
from grappe.ecosystem.models import Organisation

PASSWORD = "correct-horse-battery-staple"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Transactional tests (live server, concurrency) end with a flush that would also empty the
    reference tables loaded by migrations; a serialized rollback restores them for later tests."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = "live_server" in getattr(item, "fixturenames", ()) or (
            marker is not None and marker.kwargs.get("transaction")
        )
        if transactional:
            kwargs = {**(marker.kwargs if marker else {}), "transaction": True, "serialized_rollback": True}
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)


class _OneRequestAtATimeLiveServer(ThreadedWSGIServer):
    """On SQLite the live server's threads share the test's in-memory connection: a page's htmx panels
    answered at once interleave statements on one sqlite3 connection ("bad parameter or other API
    misuse"), and a user read that fails that way flushes the session. Connections are still accepted
    in threads (an idle preconnect blocks nobody); the application runs one request at a time, its
    body read inside the lock."""

    def set_app(self, application):
        lock = threading.Lock()

        def one_at_a_time(environ, start_response):
            with lock:
                result = application(environ, start_response)
                try:
                    return list(result)
                finally:
                    if hasattr(result, "close"):
                        result.close()

        super().set_app(one_at_a_time)


if django_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    LiveServerThread.server_class = _OneRequestAtATimeLiveServer


@pytest.fixture(autouse=True)
def _fast_hashing_and_private_media(settings, tmp_path):
    """Personas' passwords are hashed at creation: a fast hasher keeps role x view matrices quick.
    Uploaded files go to a per-test directory."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # users created outside the test (module fixtures)
    ]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _staff_two_factor_off(settings):
    """Staff two-factor authentication (on by default outside DEBUG) is off in tests, except in the tests of
    tests/accounts that switch it on; personas log in with force_login and no one-time code."""
    settings.GRAPPE_REQUIRE_STAFF_2FA = False


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A test that switches the language must not leak it into the next one (French is the default)."""
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


def make_user(email: str, role: str, **extra: object) -> User:
    return User.objects.create_user(email=email, password=PASSWORD, role=role, **extra)


@pytest.fixture
def staff_user(db) -> User:
    return make_user("staff@cluster.test", User.Role.STAFF, full_name="Sophie Staff")


@pytest.fixture
def admin_user(db) -> User:
    return make_user("admin@cluster.test", User.Role.ADMIN, full_name="Alex Admin", is_staff=True, is_superuser=True)


@pytest.fixture
def observer_user(db) -> User:
    return make_user("observer@region.test", User.Role.OBSERVER, full_name="Olivia Observer")


def _member_org(name: str, number: str, postal_code: str) -> Organisation:
    org = services.organisation_create(actor=None, name=name, kind=Organisation.Kind.COMPANY, enterprise_number=number)
    services.site_add(actor=None, organisation=org, postal_code=postal_code, street="Rue de l'Industrie", number="1")
    services.membership_create(actor=None, organisation=org, start_date=dt.date(2022, 1, 1), yearly_fee=Decimal("500"))
    return org


@pytest.fixture
def org_a(db) -> Organisation:
    return _member_org("Alpha Matériaux", "0403.019.261", "5000")


@pytest.fixture
def org_b(db) -> Organisation:
    return _member_org("Béton Bêta", "0202.239.951", "4000")


def _member_user(email: str, org: Organisation, first: str, last: str) -> User:
    person = services.person_create(actor=None, first_name=first, last_name=last, email=email)
    services.affiliation_create(
        actor=None, person=person, organisation=org, function="Directrice", email=email, is_primary_contact=True
    )
    return make_user(email, User.Role.MEMBER, person=person, full_name=f"{first} {last}")


@pytest.fixture
def member_a(org_a) -> User:
    return _member_user("anna@alpha.test", org_a, "Anna", "Alpha")


@pytest.fixture
def member_b(org_b) -> User:
    return _member_user("bruno@beta.test", org_b, "Bruno", "Bêta")


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def staff_client(staff_user) -> Client:
    return client_for(staff_user)


@pytest.fixture
def admin_client_(admin_user) -> Client:
    return client_for(admin_user)


@pytest.fixture
def observer_client(observer_user) -> Client:
    return client_for(observer_user)


@pytest.fixture
def member_a_client(member_a) -> Client:
    return client_for(member_a)


@pytest.fixture
def member_b_client(member_b) -> Client:
    return client_for(member_b)
