"""Promotion log: staff record communication actions; selectors feed the mission-3 indicators."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from grappe.core.models import AuditEntry
from grappe.showcase import promotion, selectors
from grappe.showcase.models import CommunicationAction

LIST = "/staff/showcase/promotion/"


@pytest.fixture
def actions(staff_user, org_a, org_b):
    rows = [
        ("Salon BATIBOUW", CommunicationAction.Kind.TRADE_FAIR, dt.date(2026, 2, 20), "BE", "", 12000, [org_a]),
        ("Mission Québec", CommunicationAction.Kind.MISSION, dt.date(2026, 5, 4), "CA", "fr", 300, [org_a, org_b]),
        ("Article L'Echo", CommunicationAction.Kind.MEDIA_COVERAGE, dt.date(2026, 3, 1), "BE", "fr", 40000, [org_b]),
        ("Artikel De Tijd", CommunicationAction.Kind.MEDIA_COVERAGE, dt.date(2026, 9, 1), "BE", "nl", None, []),
        ("Salon BAU Munich", CommunicationAction.Kind.TRADE_FAIR, dt.date(2025, 1, 13), "DE", "de", 500, []),
    ]
    created = []
    for title, kind, date, country, language, reach, orgs in rows:
        action = CommunicationAction(
            title=title, kind=kind, date=date, country=country, language=language, reach=reach, notes="SENTINEL-NOTE"
        )
        created.append(promotion.action_save(actor=staff_user, action=action, organisations=orgs))
    return created


def test_selectors_for_the_objectives_indicators(actions):
    start, end = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    assert selectors.communication_actions(start, end).count() == 4
    assert sorted(selectors.media_coverage(start, end).values_list("language", flat=True)) == ["fr", "nl"]
    assert [a.title for a in selectors.trade_fairs_and_missions(start, end)] == ["Mission Québec"]
    assert [a.title for a in selectors.trade_fairs_and_missions(dt.date(2025, 1, 1), dt.date(2025, 12, 31))] == [
        "Salon BAU Munich"
    ]
    summary = selectors.promotion_summary(2026)
    assert summary["count"] == 4 and summary["reach"] == 52300
    assert summary["countries"] == ["CA"] and summary["organisations"] == 2
    assert selectors.promotion_actions(2025).count() == 1


def test_objectives_indicator_reads_the_selector(actions):
    from grappe.objectives.computations.base import Period, from_selector

    result = from_selector("showcase", "communication_actions", Period.of_year(2026), by="kind")
    assert result.value == 4


def test_staff_create_edit_delete_with_audit(staff_client, org_a):
    response = staff_client.post(
        f"{LIST}new/",
        {
            "kind": "press_release",
            "title": "Lancement du label",
            "date": "2026-04-02",
            "country": "BE",
            "language": "fr",
            "audience": "press",
            "reach": "1500",
            "organisations": [org_a.pk],
            "notes": "privé",
        },
    )
    assert response.status_code == 302
    action = CommunicationAction.objects.get()
    assert action.created_by is not None and list(action.organisations.all()) == [org_a]
    html = staff_client.get(f"{LIST}?year=2026").content.decode()
    assert "Lancement du label" in html and "Alpha Matériaux" in html
    staff_client.post(
        f"{LIST}{action.pk}/",
        {"kind": "press_release", "title": "Lancement du label 2026", "date": "2026-04-02", "country": "BE"},
    )
    assert CommunicationAction.objects.get().title == "Lancement du label 2026"
    staff_client.post(f"{LIST}{action.pk}/delete/")
    assert not CommunicationAction.objects.exists()
    actions = list(
        AuditEntry.objects.filter(action__startswith="showcase.communication_action").values_list("action", flat=True)
    )
    assert sorted(actions) == [
        "showcase.communication_action.created",
        "showcase.communication_action.deleted",
        "showcase.communication_action.updated",
    ]


def test_bad_input_gives_form_errors(staff_client):
    response = staff_client.post(
        f"{LIST}new/", {"kind": "nope", "title": "", "date": "2026-13-01", "reach": "-5", "link": "javascript:x"}
    )
    assert response.status_code == 200 and "erreurs" in response.content.decode()
    response = staff_client.post(
        f"{LIST}new/",
        {"kind": "mission", "title": "X", "date": "2026-05-10", "end_date": "2026-05-01", "country": "CA"},
    )
    assert response.status_code == 200 and not CommunicationAction.objects.exists()
    assert staff_client.get(f"{LIST}?year=abc&kind=zzz").status_code == 200
    assert staff_client.get(f"{LIST}999999/").status_code == 404


def test_roles(client, member_a_client, observer_client, staff_client, admin_client_, actions, member_a):
    action = actions[0]
    for url in (LIST, f"{LIST}new/", f"{LIST}{action.pk}/"):
        assert client.get(url).status_code == 302
        assert member_a_client.get(url).status_code == 403
        assert observer_client.get(url).status_code == 403
        assert staff_client.get(url).status_code == 200
        assert admin_client_.get(url).status_code == 200
    assert member_a_client.post(f"{LIST}{action.pk}/delete/").status_code == 403
    assert CommunicationAction.objects.filter(pk=action.pk).exists()
    with pytest.raises(PermissionDenied):
        promotion.action_save(actor=member_a, action=CommunicationAction(title="x", kind="other", date=dt.date.today()))


def test_private_notes_never_reach_public_output(client, actions):
    for url in ["/fr/", "/en/", "/fr/directory/", "/sitemap.xml", "/opendata/organisations.json"]:
        assert "SENTINEL-NOTE" not in client.get(url).content.decode()
