"""The trust tests share one fixture world per module, built in a transaction that is rolled back at the end.

Each test runs in a nested savepoint (pytest-django's ``db``), and every request of the matrix runs in
its own savepoint too, so a POST that deletes or publishes cannot change what the next request sees.
"""

import pytest
from django.db import transaction
from django.test import Client, override_settings

from tests.trust.world import World, build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> World:
    media = tmp_path_factory.mktemp("trust-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        built = build_world()
        built.media_root = media
        yield built
        transaction.set_rollback(True)


@pytest.fixture
def clients(world) -> dict[str, Client]:
    """Fresh clients per test: a request that logs out must not log out the next test's client."""
    from grappe.accounts.models import User

    result = {}
    for role, user in world.users.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(User.objects.get(pk=user.pk))  # fresh: a test may have changed the shared one
        result[role] = client
    return result
