"""Fixtures of the partnerships tests: a research centre, a third company, and travelling in time."""

import datetime as dt

import pytest
from django.utils import timezone

from grappe.ecosystem import services as eco
from grappe.ecosystem.models import Organisation


@pytest.fixture
def university(db) -> Organisation:
    return eco.organisation_create(actor=None, name="Université de Liège", kind=Organisation.Kind.UNIVERSITY)


@pytest.fixture
def company_c(db) -> Organisation:
    return eco.organisation_create(
        actor=None,
        name="Charpentes Gamma",
        kind=Organisation.Kind.COMPANY,
        description="Charpentes en bois de réemploi, ossature bois, démontage soigné de toitures.",
    )


@pytest.fixture
def travel(monkeypatch):
    """``travel(day)`` makes ``timezone.now()`` (and so ``localdate()``) return noon on ``day``."""

    def to(day: dt.date) -> None:
        moment = dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_default_timezone())
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return to
