import datetime as dt

import pytest
from django.urls import reverse

from .factories import small_universe

ROLES = ["client", "member_a_client", "member_b_client", "observer_client", "staff_client", "admin_client_"]
READERS = {"observer_client", "staff_client", "admin_client_"}


def _expected(role: str) -> int:
    if role == "client":
        return 302
    return 200 if role in READERS else 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_representativeness_page_is_for_staff_and_observers_only(role, request):
    client = request.getfixturevalue(role)
    response = client.get(reverse("insights:representativeness"))
    assert response.status_code == _expected(role)


@pytest.mark.django_db
def test_representativeness_page_shows_cells_and_highlights_nothing_insignificant(staff_client):
    small_universe()
    response = staff_client.get(reverse("insights:representativeness"), {"date": "2025-06-30"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Demolition" in body and "Province de Namur" in body
    assert "<svg" in body  # the evolution chart
    assert 'class="significant' not in body


@pytest.mark.django_db
def test_representativeness_page_explains_an_empty_perimeter(staff_client):
    response = staff_client.get(reverse("insights:representativeness"))
    assert response.status_code == 200
    assert "périmètre est vide" in response.content.decode()
    assert reverse("insights:perimeter") in response.content.decode()  # where to define it


@pytest.mark.django_db
def test_representativeness_page_names_a_malformed_date(staff_client):
    response = staff_client.get(reverse("insights:representativeness"), {"date": "31/12/2024"})
    assert response.status_code == 200
    assert "Date invalide « 31/12/2024 »" in response.content.decode()


@pytest.mark.django_db
def test_representativeness_table_downloads_as_csv(observer_client):
    data = small_universe()
    response = observer_client.get(reverse("insights:representativeness"), {"date": "2025-06-30", "csv": "segment"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("key;label;members;universe;coverage")
    demolition = next(line for line in lines if line.startswith(f"{data['segments']['demolition'].pk};"))
    assert ";2;6;" in demolition


@pytest.mark.django_db
def test_unknown_breakdown_csv_is_not_found(staff_client):
    response = staff_client.get(reverse("insights:representativeness"), {"csv": "nope", "date": dt.date.today()})
    assert response.status_code == 404
