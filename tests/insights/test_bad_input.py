"""Bad input on every insights page, the command and the API: a clear sentence, never a 500.

The issue's three cases — an empty perimeter, a date before any data, a segment with no universe —
are checked on the page (the sentence is shown) and in the JSON (the same sentence in ``notes``, the
values ``null``); dates out of range and unknown segments are named back to the user.
"""

import datetime as dt
import html
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from grappe.ecosystem.models import Segment, ValueChain

from .factories import enterprise, small_universe

PAGES = ["insights:dashboard", "insights:representativeness", "insights:prospects", "insights:map", "insights:network"]
EMPTY = "périmètre est vide"
BEFORE = "Aucune adhésion n'existe à cette date"
NO_UNIVERSE_AT_DATE = "Aucune entreprise du registre dans le périmètre à cette date"


def _body(client, name, **params):
    response = client.get(reverse(name), params)
    assert response.status_code == 200, (name, params)
    return html.unescape(response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_a_date_out_of_range_is_named_and_today_is_used(name, date, staff_client):
    body = _body(staff_client, name, date=date)
    assert f"Date hors limites « {date} »" in body
    assert f'value="{dt.date.today().isoformat()}"' in body  # the date field shows the date used


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["insights:dashboard", "insights:representativeness", "insights:prospects"])
def test_an_empty_perimeter_is_explained_on_the_page(name, staff_client):
    chain = ValueChain.objects.create(name="Vide", slug="vide")
    Segment.objects.create(value_chain=chain, name="Sans codes", slug="sans-codes")
    enterprise(1, ["43110"])
    assert EMPTY in _body(staff_client, name, date="2025-06-30")


@pytest.mark.django_db
def test_an_empty_perimeter_is_explained_on_the_map_and_in_the_json(staff_client):
    assert "Le périmètre est vide : la couverture par commune" in _body(staff_client, "insights:map")
    out = StringIO()
    call_command("ecosystem", "representativeness", "--json", "--date", "2025-06-30", stdout=out)
    report = json.loads(out.getvalue())
    assert (report["index"], report["coverage"], report["breakdowns"]) == (None, None, {})
    assert any(EMPTY in note for note in report["notes"])


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["insights:dashboard", "insights:representativeness", "insights:prospects"])
def test_a_date_before_any_data_is_explained_on_the_page(name, staff_client):
    small_universe()  # memberships from 2021, enterprises started from 2000
    body = _body(staff_client, name, date="1990-01-01")
    assert BEFORE in body and NO_UNIVERSE_AT_DATE in body


@pytest.mark.django_db
def test_a_date_before_any_data_is_explained_in_the_json(staff_client):
    small_universe()
    out = StringIO()
    call_command("ecosystem", "representativeness", "--json", "--date", "1990-01-01", stdout=out)
    report = json.loads(out.getvalue())
    assert (report["universe"], report["members_in_perimeter"]) == (0, 0)
    assert (report["index"], report["coverage"]) == (None, None)
    assert report["evolution"] == [{"date": "1990-01-01", "index": None, "members": 0}]
    assert any(BEFORE in n for n in report["notes"]) and any(NO_UNIVERSE_AT_DATE in n for n in report["notes"])
    api = staff_client.get("/api/v1/insights/representativeness", {"date": "1990-01-01"}).json()
    assert api["index"] is None and any(BEFORE in n for n in api["notes"])
    segment = api["breakdowns"]["segment"]["cells"][0]
    assert (segment["universe"], segment["coverage"], segment["residual"]) == (0, None, None)


@pytest.mark.django_db
def test_a_segment_without_universe_is_explained_on_the_page_and_in_the_json(staff_client):
    data = small_universe()  # segment "Energie" (35.11): no register enterprise
    body = _body(staff_client, "insights:representativeness", date="2025-06-30")
    assert "Aucune entreprise du registre dans : Bâtiment — Energie (couverture non calculable)." in body
    out = StringIO()
    energy = data["segments"]["energy"].pk
    call_command(
        "ecosystem", "representativeness", "--json", "--date", "2025-06-30", "--segment", str(energy), stdout=out
    )
    report = json.loads(out.getvalue())
    assert (report["universe"], report["index"], report["coverage"]) == (0, None, None)
    cell = report["breakdowns"]["segment"]["cells"][0]
    assert (cell["key"], cell["members"], cell["universe"], cell["coverage"], cell["residual"]) == (
        str(energy),
        0,
        0,
        None,
        None,
    )
    assert any(NO_UNIVERSE_AT_DATE in n for n in report["notes"])
    api = staff_client.get("/api/v1/insights/representativeness", {"date": "2025-06-30", "segment": energy}).json()
    assert api["universe"] == 0 and any(NO_UNIVERSE_AT_DATE in n for n in api["notes"])
    # On the map and the prospects page, the segment filter gives zero and says why.
    map_body = _body(staff_client, "insights:map", segment=energy)
    assert "Aucune entreprise du registre dans le périmètre : pas de couverture par commune." in map_body
    prospects = _body(staff_client, "insights:prospects", date="2025-06-30", segment=energy)
    assert "0 prospects affichés" in prospects


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["insights:map", "insights:prospects"])
@pytest.mark.parametrize("value", ["424242", "abc", "99999999999999999999999"])
def test_an_unknown_segment_filter_is_named_and_dropped(name, value, staff_client):
    small_universe()
    body = _body(staff_client, name, date="2025-06-30", segment=value)
    assert f"Segment inconnu « {value} »" in body
    assert EMPTY not in body  # not mistaken for an empty perimeter


@pytest.mark.django_db
def test_prospect_limits_out_of_range_are_clamped(staff_client):
    small_universe()
    assert 'name="limit" min="1" max="5000" value="1"' in _body(staff_client, "insights:prospects", limit="0")
    assert 'value="5000"' in _body(staff_client, "insights:prospects", limit="99999999999999")
    assert 'value="200"' in _body(staff_client, "insights:prospects", limit="-3")


@pytest.mark.django_db
def test_command_refuses_a_date_out_of_range_and_an_unknown_segment():
    with pytest.raises(CommandError, match="hors limites"):
        call_command("ecosystem", "representativeness", "--date", "0001-01-01")
    with pytest.raises(CommandError, match="segment inconnu : 424242"):
        call_command("ecosystem", "representativeness", "--segment", "424242")


@pytest.mark.django_db
def test_command_text_output_names_the_figures():
    small_universe()
    out = StringIO()
    call_command("ecosystem", "representativeness", "--date", "2025-06-30", stdout=out)
    text = out.getvalue()
    assert "Membres dans le périmètre : 3 / univers 10 (couverture 30.0 %)" in text
    assert "Province (indice" in text
