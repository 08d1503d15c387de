"""Funding calls created from a watch item: what is pre-filled, the link kept, the staff page per role."""

import datetime as dt
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grappe.core.models import AuditEntry
from grappe.innovation import services
from grappe.innovation.models import FundingCall
from grappe.watch.models import Item, Source

from ..conftest import client_for

BRUSSELS = timezone.get_default_timezone()


def make_item(title: str, key: str, **fields) -> Item:
    source, _ = Source.objects.get_or_create(url="https://www.wallonie.example/rss", defaults={"title": "Wallonie"})
    now = timezone.now()
    values = {
        "source": source,
        "title": title,
        "link": f"https://www.wallonie.example/{key}",
        "dedup_key": key,
        "published_at": now,
        "fetched_at": now,
        "status": Item.Status.KEPT,
        "search_text": title.lower(),
        **fields,
    }
    return Item.objects.create(**values)


@pytest.fixture
def call_item(db) -> Item:
    return make_item(
        "Appel à projets Économie circulaire 2026",
        "appel-ec",
        summary="<p>La Région ouvre un appel <strong>économie circulaire</strong> pour les PME.</p>",
        event_start=dt.datetime(2026, 4, 1, 9, tzinfo=BRUSSELS),
        event_end=dt.datetime(2026, 6, 30, 17, tzinfo=BRUSSELS),
        search_text="appel a projets economie circulaire 2026",
    )


def test_the_item_prefills_title_link_text_and_dates(call_item):
    initial = services.call_initial_from_watch_item(call_item)
    assert initial["title"] == "Appel à projets Économie circulaire 2026"
    assert initial["link"] == "https://www.wallonie.example/appel-ec"
    assert initial["description"] == "La Région ouvre un appel économie circulaire pour les PME."  # no HTML
    assert (initial["opens_on"], initial["closes_on"]) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))


def test_an_item_with_only_an_effective_date_closes_on_that_date_and_opens_when_published(db):
    item = make_item("Appel PIT", "pit", effective_date=dt.date(2026, 9, 15))
    initial = services.call_initial_from_watch_item(item)
    assert initial["closes_on"] == dt.date(2026, 9, 15)
    assert initial["opens_on"] == timezone.localdate(item.published_at)


def test_creating_from_the_item_keeps_the_link_and_audits(call_item, staff_user):
    call = services.call_create_from_watch_item(
        actor=staff_user, item=call_item, programme="Wallonie circulaire", funder="SPW Économie"
    )
    assert call.watch_item == call_item and call_item.funding_calls.get() == call
    assert (call.opens_on, call.closes_on, call.funder) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30), "SPW Économie")
    assert AuditEntry.objects.filter(action="innovation.call.created", object_id=str(call.pk)).exists()


def test_an_item_without_a_closing_date_asks_for_one(db, staff_user):
    item = make_item("Appel sans date", "sans-date")
    with pytest.raises(ValidationError) as error:
        services.call_create_from_watch_item(actor=staff_user, item=item, programme="P", funder="F")
    assert "closes_on" in error.value.message_dict
    assert not FundingCall.objects.exists()
    call = services.call_create_from_watch_item(
        actor=staff_user, item=item, programme="P", funder="F", closes_on=timezone.localdate() + dt.timedelta(days=30)
    )
    assert call.watch_item == item


def test_the_item_values_can_be_overridden_and_bad_dates_are_refused(call_item, staff_user):
    with pytest.raises(ValidationError, match="La date de clôture doit suivre la date d'ouverture"):
        services.call_create_from_watch_item(
            actor=staff_user, item=call_item, programme="P", funder="F", closes_on=dt.date(2026, 3, 1)
        )
    assert not FundingCall.objects.exists()


@pytest.fixture
def clients(db, member_a, member_b, observer_user, staff_user, admin_user) -> dict[str, Client]:
    return {
        "anonymous": Client(),
        "member_a": client_for(member_a),
        "member_b": client_for(member_b),
        "observer": client_for(observer_user),
        "staff": client_for(staff_user),
        "admin": client_for(admin_user),
    }


def test_the_prefilled_call_page_per_role(clients, call_item):
    url = reverse("innovation:call_create") + f"?watch_item={call_item.pk}"
    expected = {"anonymous": 302, "member_a": 403, "member_b": 403, "observer": 403, "staff": 200, "admin": 200}
    for role, status in expected.items():
        assert clients[role].get(url).status_code == status, role
    page = unescape(clients["staff"].get(url).content.decode())
    assert "Prérempli à partir de l'article de veille « Appel à projets Économie circulaire 2026 »" in page
    assert 'value="2026-06-30"' in page and "https://www.wallonie.example/appel-ec" in page
    assert clients["staff"].get(reverse("innovation:call_create") + "?watch_item=999999").status_code == 404


def test_staff_save_the_prefilled_form_and_the_call_keeps_its_item(clients, call_item):
    response = clients["staff"].post(
        reverse("innovation:call_create"),
        {
            "watch_item": call_item.pk,
            "title": "Appel à projets Économie circulaire 2026",
            "programme": "Wallonie circulaire",
            "funder": "SPW",
            "level": "regional",
            "opens_on": "2026-04-01",
            "closes_on": "2026-06-30",
            "min_partners": "1",
        },
    )
    call = FundingCall.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("innovation:call_detail", args=[call.pk])
    assert call.watch_item == call_item


def test_members_cannot_create_a_call_from_an_item(clients, call_item):
    for role in ("member_a", "observer"):
        clients[role].post(
            reverse("innovation:call_create"),
            {
                "watch_item": call_item.pk,
                "title": "X",
                "programme": "P",
                "funder": "F",
                "level": "regional",
                "opens_on": "2026-04-01",
                "closes_on": "2026-06-30",
                "min_partners": "1",
            },
        )
    assert not FundingCall.objects.exists()


def test_the_new_call_page_lists_kept_items_about_a_call_until_one_is_created(clients, call_item, staff_user):
    make_item("Appel discarded", "jete", status=Item.Status.DISCARDED, search_text="appel jete")
    make_item("Nouvelle norme amiante", "amiante", search_text="nouvelle norme amiante")
    page = unescape(clients["staff"].get(reverse("innovation:call_create")).content.decode())
    assert "Appels repérés par la veille" in page and f"?watch_item={call_item.pk}" in page
    assert "Appel discarded" not in page and "Nouvelle norme amiante" not in page
    services.call_create_from_watch_item(actor=staff_user, item=call_item, programme="P", funder="F")
    page = unescape(clients["staff"].get(reverse("innovation:call_create")).content.decode())
    assert f"?watch_item={call_item.pk}" not in page
