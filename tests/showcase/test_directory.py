"""The public directory: consented members only, folded search, facets with counts, bad input never 500."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grappe.ecosystem import services
from grappe.ecosystem.models import Organisation
from grappe.showcase import selectors


def names(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/[a-z]{2}/directory/[^"]+/">([^<]+)</a></h2>', html)


def option_count(html: str, facet: str, value: str) -> int | None:
    block = html.split(f'id="facet-{facet}"', 1)[1].split("</select>", 1)[0]
    match = re.search(rf'<option value="{re.escape(value)}"[^>]*>[^<]*\((\d+)\)</option>', block)
    return int(match.group(1)) if match else None


def test_directory_lists_only_current_members_who_consented(client, directory):
    html = client.get("/fr/directory/").content.decode()
    assert names(html) == ["Bois &amp; Co", "Écobéton Liège", "Isolants du Sud"]
    assert "Discrète Matériaux" not in html and "Ancien Béton" not in html


def test_non_consenting_and_former_members_have_no_public_profile(client, directory):
    assert client.get(f"/fr/directory/{directory.hidden.slug}/").status_code == 404
    assert client.get(f"/en/directory/{directory.former.slug}/").status_code == 404


def test_search_is_accent_and_case_insensitive_over_names_descriptions_and_competences(client, directory):
    assert names(client.get("/fr/directory/?q=ECOBETON").content.decode()) == ["Écobéton Liège"]
    # Description in English, searched from the Dutch site.
    assert names(client.get("/nl/directory/?q=recycled").content.decode()) == ["Écobéton Liège"]
    # Competence name in Dutch.
    found = names(client.get("/de/directory/?q=hergebruik").content.decode())
    assert found == ["Écobéton Liège", "Isolants du Sud"]
    assert names(client.get("/fr/directory/?q=b%C3%A9ton+recycl%C3%A9").content.decode()) == ["Écobéton Liège"]
    assert names(client.get("/fr/directory/?q=discrete").content.decode()) == []


def test_facets_filter_and_count_the_other_facets(client, directory):
    html = client.get("/fr/directory/?competence=reemploi").content.decode()
    assert names(html) == ["Écobéton Liège", "Isolants du Sud"]
    assert "2 membres trouvés" in html
    # The competence facet counts ignore its own selection; the others count within it.
    assert option_count(html, "competence", "reemploi") == 2
    assert option_count(html, "competence", "bim") == 1
    assert option_count(html, "value_chain", "batiment") == 1
    assert option_count(html, "value_chain", "renovation") == 1
    assert option_count(html, "kind", "company") == 2
    assert option_count(html, "kind", "startup") is None
    province = directory.province_of(directory.ecobeton)
    assert option_count(html, "province", province) == 1
    html = client.get(f"/fr/directory/?competence=reemploi&province={province}").content.decode()
    assert names(html) == ["Écobéton Liège"]
    html = client.get("/fr/directory/?value_chain=batiment&kind=startup").content.decode()
    assert names(html) == ["Bois &amp; Co"]


def test_facet_labels_follow_the_language(client, directory):
    html = client.get("/en/directory/").content.decode()
    assert "Reuse (2)" in html and "Circular building (2)" in html


def test_unknown_facet_values_are_ignored_with_a_notice(client, directory):
    response = client.get("/fr/directory/?competence=nope&value_chain=%00%27&province=99&kind=alien")
    assert response.status_code == 200
    html = response.content.decode()
    assert names(html) == ["Bois &amp; Co", "Écobéton Liège", "Isolants du Sud"]
    assert html.count("ignoré : valeur inconnue") == 4


def test_a_ten_thousand_character_query_is_truncated_safely(client, directory):
    response = client.get("/fr/directory/", {"q": "béton " * 1700})
    assert response.status_code == 200
    assert "raccourcie à 200 caractères" in response.content.decode()
    assert client.get("/fr/directory/", {"q": "x" * 10_000, "page": "abc"}).status_code == 200


def test_directory_paginates_with_shareable_urls(client, directory, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 1)
    html = client.get("/fr/directory/?competence=reemploi").content.decode()
    assert names(html) == ["Écobéton Liège"]
    assert 'href="?competence=reemploi&amp;page=2" rel="next"' in html
    html = client.get("/fr/directory/?competence=reemploi&page=2").content.decode()
    assert names(html) == ["Isolants du Sud"]
    assert 'href="?competence=reemploi&amp;page=1" rel="prev"' in html
    assert "Page 2 sur 2" in html


def test_htmx_requests_get_the_results_region_only(client, directory):
    response = client.get("/fr/directory/?q=bois", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="directory-region">')
    assert "<html" not in html and names(html) == ["Bois &amp; Co"]
    assert 'hx-push-url="true"' in html
    assert "HX-Request" in response["Vary"]
    restore = client.get("/fr/directory/?q=bois", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.content.decode()


@pytest.mark.parametrize(
    "role_client", ["client", "member_a_client", "member_b_client", "observer_client", "staff_client", "admin_client_"]
)
def test_every_role_sees_the_same_public_directory(request, directory, role_client):
    html = request.getfixturevalue(role_client).get("/fr/directory/").content.decode()
    assert names(html) == ["Bois &amp; Co", "Écobéton Liège", "Isolants du Sud"]


def test_directory_query_count_does_not_grow_with_the_directory(client, directory):
    with CaptureQueriesContext(connection) as small:
        client.get("/fr/directory/?q=b")
    for n in range(8):
        services.organisation_create(
            actor=None, name=f"Béton Nouveau {n}", public_profile_consent=True, competences=[directory.reuse]
        )
        org = Organisation.objects.get(name=f"Béton Nouveau {n}")
        services.membership_create(actor=None, organisation=org, start_date=dt.date(2023, 1, 1))
    with CaptureQueriesContext(connection) as large:
        html = client.get("/fr/directory/?q=b").content.decode()
    assert "Béton Nouveau 7" in html
    assert len(large.captured_queries) == len(small.captured_queries)


def test_an_anonymous_search_sets_no_cookie_and_reads_no_session(client, directory):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/fr/directory/?q=beton&kind=company")
    assert response.status_code == 200 and not response.cookies
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"] or "grappe_cache" in q["sql"]]
