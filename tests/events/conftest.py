"""Fixtures of the events tests: a published event with few seats, people to register, a B2B session."""

import datetime as dt

import pytest
from django.utils import timezone

from grappe.ecosystem import services as eco
from grappe.events import matchmaking, services
from grappe.events.models import Event, MatchmakingSession


def aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_default_timezone())


@pytest.fixture
def in_ten_days() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=10)


@pytest.fixture
def event(db, in_ten_days) -> Event:
    return services.event_create(
        actor=None,
        title="Atelier réemploi des matériaux",
        start=aware(in_ten_days, 9),
        end=aware(in_ten_days, 12),
        venue_name="Centre de recherche",
        venue_address="Rue du Béton 1",
        capacity=2,
        price_non_member="25.00",
        status=Event.Status.PUBLISHED,
    )


def make_person(n: int, organisation=None):
    person = eco.person_create(actor=None, first_name=f"Prénom{n}", last_name=f"Nom{n}", email=f"p{n}@example.test")
    if organisation is not None:
        eco.affiliation_create(actor=None, person=person, organisation=organisation)
    return person


@pytest.fixture
def people(db):
    return [make_person(n) for n in range(1, 7)]


def register(event, person, **kw):
    return services.registration_create(actor=None, event=event, person=person, consent=True, **kw)


@pytest.fixture
def b2b_event(db, in_ten_days) -> Event:
    return services.event_create(
        actor=None,
        title="Journée B2B construction circulaire",
        kind=Event.Kind.B2B,
        start=aware(in_ten_days, 9),
        end=aware(in_ten_days, 17),
        venue_name="Palais des congrès",
        venue_address="Place de la Station 1",
        capacity=100,
        status=Event.Status.PUBLISHED,
    )


@pytest.fixture
def session(b2b_event, in_ten_days) -> MatchmakingSession:
    session = matchmaking.session_create(actor=None, event=b2b_event, tables=2, meeting_minutes=30)
    matchmaking.slots_generate(
        actor=None,
        session=session,
        blocks=[
            (aware(in_ten_days, 9), aware(in_ten_days, 11), "matin"),
            (aware(in_ten_days, 13), aware(in_ten_days, 14), "après-midi"),
        ],
    )
    return session


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The persona logins are created for many tests here: a fast hasher keeps the suite quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
