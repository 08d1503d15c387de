"""Every public page renders for anonymous visitors in the four languages, with hreflang alternates."""

import json

import pytest

from tests.showcase.conftest import LANGUAGES


def public_paths(directory) -> list[str]:
    return [
        "/{lang}/",
        "/{lang}/directory/",
        f"/{{lang}}/directory/{directory.ecobeton.slug}/",
        f"/{{lang}}/directory/{directory.bois.slug}/",
        "/{lang}/value-chains/batiment/",
        "/{lang}/value-chains/renovation/",
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_public_page_renders_for_an_anonymous_visitor_in_each_language(client, directory, lang):
    for template in public_paths(directory):
        path = template.format(lang=lang)
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert f'<html lang="{lang}">' in html
        for other in LANGUAGES:
            assert f'hreflang="{other}" href="http://testserver{path.replace(f"/{lang}/", f"/{other}/", 1)}"' in html
        assert 'hreflang="x-default"' in html
        assert 'href="#main"' in html and 'id="main"' in html


def test_public_pages_have_no_staff_navigation(client, directory, staff_client):
    html = staff_client.get("/fr/").content.decode()
    assert "/staff/" not in html
    assert "/admin/" not in html


def test_the_language_switcher_keeps_the_page_and_the_search(client, directory):
    html = client.get("/fr/directory/?q=beton").content.decode()
    assert 'href="/nl/directory/?q=beton"' in html
    assert 'href="/de/directory/?q=beton"' in html


def test_home_shows_live_key_figures_and_value_chains(client, directory):
    html = client.get("/fr/").content.decode()
    # members today: the five fixtures minus the former member (consent does not matter for counting).
    assert '<p class="figure">4</p>' in html
    assert '<p class="figure">5</p>' in html
    assert "Bâtiment circulaire" in html and "Matériaux" in html and "Isolation" in html
    html_en = client.get("/en/").content.decode()
    assert "Circular building" in html_en and "Materials" in html_en


def test_unknown_slugs_and_language_prefixes_give_404(client, directory):
    assert client.get("/fr/directory/nobody/").status_code == 404
    assert client.get("/fr/value-chains/nothing/").status_code == 404
    assert client.get("/xx/").status_code == 404
    assert client.get("/xx/directory/").status_code == 404


def test_profile_shows_the_translated_description_and_falls_back_visibly(client, directory):
    html = client.get(f"/en/directory/{directory.ecobeton.slug}/").content.decode()
    assert '<div class="description" lang="en">' in html and "Recycled concrete" in html
    html = client.get(f"/nl/directory/{directory.bois.slug}/").content.decode()
    assert '<div class="description" lang="fr">' in html and "Charpentes en bois local" in html
    assert 'class="message message-info"' in html


def test_profile_carries_json_ld_opengraph_public_contact_and_the_map(client, directory):
    html = client.get(f"/fr/directory/{directory.ecobeton.slug}/").content.decode()
    assert '<script type="application/ld+json">' in html and '"@type": "Organization"' in html
    assert '"name": "Écobéton Liège"' in html
    assert '<meta property="og:title" content="Écobéton Liège">' in html
    assert "info@ecobeton.example" in html and "https://ecobeton.example" in html
    assert "Réemploi" in html and "Matériaux" in html
    assert "France" in html and "Luxembourg" in html
    assert "<svg" in html and "4000 Liège" in html


def test_value_chain_page_lists_public_members_per_segment(client, directory):
    html = client.get("/fr/value-chains/batiment/").content.decode()
    assert "Écobéton Liège" in html and "Bois &amp; Co" in html
    assert "Discrète Matériaux" not in html and "Ancien Béton" not in html
    assert "Isolants du Sud" not in html


def test_robots_txt_points_to_the_sitemap_and_hides_private_areas(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Disallow: /staff/" in body and "Disallow: /portal/" in body


def test_sitemap_lists_public_pages_with_language_alternates(client, directory):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    body = response.content.decode()
    for lang in LANGUAGES:
        assert f"http://testserver/{lang}/directory/{directory.ecobeton.slug}/" in body
        assert f'hreflang="{lang}"' in body
    assert "/fr/value-chains/batiment/" in body
    assert directory.hidden.slug not in body and directory.former.slug not in body


ROLES = ["client", "member_a_client", "member_b_client", "observer_client", "staff_client", "admin_client_"]


@pytest.mark.parametrize("role_client", ROLES)
def test_every_role_reads_the_same_public_pages(request, directory, role_client):
    visitor = request.getfixturevalue(role_client)
    for template in public_paths(directory):
        assert visitor.get(template.format(lang="nl")).status_code == 200
    assert visitor.get(f"/fr/directory/{directory.hidden.slug}/").status_code == 404
    for path in ("/sitemap.xml", "/robots.txt", "/opendata/organisations.csv", "/opendata/organisations.json"):
        assert visitor.get(path).status_code == 200


def test_json_ld_cannot_be_broken_out_of_by_a_description(client, directory):
    directory.ecobeton.description_fr = "Béton </script><script>alert(1)</script> & co"
    directory.ecobeton.save()
    html = client.get(f"/fr/directory/{directory.ecobeton.slug}/").content.decode()
    assert "<script>alert(1)" not in html
    ld = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert json.loads(ld)["description"] == "Béton </script><script>alert(1)</script> & co"


def test_public_pages_refuse_writes(client, directory):
    assert client.post("/fr/directory/").status_code == 405
