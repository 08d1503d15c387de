"""Open data of the public directory: CSV and JSON, CC BY 4.0, consented members only."""

import csv
import io
import json

from grappe.showcase.opendata import COLUMNS, LICENCE_URL, _cell


def test_json_lists_public_members_with_licence(client, directory):
    response = client.get("/opendata/organisations.json")
    assert response.status_code == 200
    assert response["Link"] == f'<{LICENCE_URL}>; rel="license"'
    document = json.loads(response.content)
    assert document["licence"] == {"name": "CC BY 4.0", "url": LICENCE_URL}
    assert document["count"] == 3
    by_name = {o["name"]: o for o in document["organisations"]}
    assert sorted(by_name) == ["Bois & Co", "Isolants du Sud", "Écobéton Liège"]
    eco = by_name["Écobéton Liège"]
    assert eco["description_en"] == "Recycled concrete made from demolition waste."
    assert eco["competences"] == ["reemploi"] and eco["segments"] == ["batiment/materiaux"]
    assert eco["export_markets"] == ["FR", "LU"] and eco["municipalities"] == ["4000 Liège"]
    assert eco["profile_url"] == f"http://testserver/fr/directory/{directory.ecobeton.slug}/"


def test_csv_has_the_documented_columns_and_public_rows_only(client, directory):
    response = client.get("/opendata/organisations.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'rel="license"' in response["Link"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == COLUMNS
    assert sorted(r[0] for r in rows[1:]) == ["Bois & Co", "Isolants du Sud", "Écobéton Liège"]


def test_csv_cells_cannot_inject_formulas_but_keep_phone_numbers():
    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _cell("@SUM(A1)") == "'@SUM(A1)"
    assert _cell("-2+3") == "'-2+3"  # a formula in a spreadsheet
    assert _cell("+cmd|' /C calc'!A0") == "'+cmd|' /C calc'!A0"
    assert _cell("+32 4 123 45 67") == "+32 4 123 45 67"
    assert _cell(["a", "b"]) == "a | b"


def test_public_footer_states_the_licence(client, directory):
    html = client.get("/de/").content.decode()
    assert 'href="/opendata/organisations.csv"' in html and 'rel="license"' in html
