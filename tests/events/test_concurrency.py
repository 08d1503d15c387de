"""No overbooking under concurrent registrations: many threads race for the last seats.

On PostgreSQL the event row is locked with SELECT ... FOR UPDATE; on SQLite every transaction
starts with BEGIN IMMEDIATE (settings), which serialises writers. The test needs real concurrent
connections, so it runs on PostgreSQL and on a file-based SQLite database, not on the in-memory one.
"""

import threading

import pytest
from django.db import close_old_connections, connection

from grappe.events import services
from grappe.events.models import Registration
from tests.events.conftest import make_person

THREADS = 12


def _in_memory_sqlite() -> bool:
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("_in_memory_sqlite()", reason="concurrent connections need PostgreSQL or a file SQLite database")
def test_concurrent_registrations_never_exceed_capacity(event):
    people = [make_person(100 + n) for n in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def register(person) -> None:
        try:
            barrier.wait(timeout=30)
            services.registration_create(actor=None, event=event, person=person, consent=True)
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=register, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    confirmed = Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED).count()
    waitlisted = list(
        Registration.objects.filter(event=event, status=Registration.Status.WAITLISTED)
        .order_by("waitlist_position")
        .values_list("waitlist_position", flat=True)
    )
    assert confirmed == event.capacity == 2
    assert waitlisted == list(range(1, THREADS - 1))  # distinct, gapless positions: the counts were serialised


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("_in_memory_sqlite()", reason="concurrent connections need PostgreSQL or a file SQLite database")
def test_concurrent_cancellations_promote_each_waiting_person_once(event):
    people = [make_person(200 + n) for n in range(8)]
    regs = [services.registration_create(actor=None, event=event, person=p, consent=True) for p in people]
    confirmed = [r for r in regs if r.status == Registration.Status.CONFIRMED]
    barrier = threading.Barrier(len(confirmed))
    errors: list[BaseException] = []

    def cancel(registration) -> None:
        try:
            barrier.wait(timeout=30)
            services.registration_cancel(actor=None, registration=registration)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=cancel, args=(r,)) for r in confirmed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    now_confirmed = set(
        Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED).values_list("pk", flat=True)
    )
    assert now_confirmed == {regs[2].pk, regs[3].pk}
