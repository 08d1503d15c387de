"""Bulk-writing settings of a full import, scoped to the import's transaction."""

import pytest
from django.db import connection, transaction

from grappe.register.extract import TABLES
from grappe.register.writers import Stage

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_index_memory_is_raised_for_the_import_transaction_only(settings):
    settings.GRAPPE_REGISTER_PG_INDEX_MEMORY_MB = 96
    with connection.cursor() as cursor:
        cursor.execute("SHOW maintenance_work_mem")
        default = cursor.fetchone()[0]
    with transaction.atomic():
        Stage(TABLES).create()
        with connection.cursor() as cursor:
            cursor.execute("SHOW maintenance_work_mem")
            assert cursor.fetchone()[0] == "96MB"
    with connection.cursor() as cursor:
        cursor.execute("SHOW maintenance_work_mem")
        assert cursor.fetchone()[0] == default != "96MB"
