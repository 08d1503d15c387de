"""Core fixtures: a registry of periodic jobs limited to the test's own jobs."""

import pytest
from django.db import connection

from grappe.core import registry


@pytest.fixture
def periodic(monkeypatch):
    """Replace the declared periodic jobs with the test's; returns ``register_periodic``."""
    monkeypatch.setattr(registry, "_periodic", {})
    return registry.register_periodic


def in_memory_sqlite() -> bool:
    return connection.vendor == "sqlite" and connection.is_in_memory_db()
