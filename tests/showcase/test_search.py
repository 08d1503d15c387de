"""Directory full-text search: FTS5 trigram (SQLite) / pg_trgm (PostgreSQL), typo tolerance, index hygiene."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.utils import translation

from grappe.ecosystem import services
from grappe.ecosystem.models import Organisation
from grappe.showcase import search
from grappe.showcase.models import DirectoryEntry


def names(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/[a-z]{2}/directory/[^"]+/">([^<]+)</a></h2>', html)


@pytest.fixture
def solvay(directory) -> Organisation:
    with translation.override("fr"):
        org = services.organisation_create(
            actor=None,
            name="Solvay Matériaux",
            public_profile_consent=True,
            description_fr="Chimie de spécialité pour la construction durable.",
            description_nl="Specialistische chemie voor duurzaam bouwen.",
            competences=[directory.reuse],
            export_markets=["DE", "NL"],
        )
        services.site_add(actor=None, organisation=org, postal_code="1000", street="Rue de Ransbeek", number="310")
        services.membership_create(actor=None, organisation=org, start_date=dt.date(2022, 1, 1))
    return org


def test_a_typo_finds_the_organisation_with_a_notice(client, solvay):
    html = client.get("/fr/directory/?q=Solvey").content.decode()
    assert names(html) == ["Solvay Matériaux"]
    assert "orthographe proche (solvay)" in html
    # Transposition, deletion and insertion are one edit too.
    for typo in ("Slovay", "Solay", "Sollvay"):
        assert names(client.get(f"/fr/directory/?q={typo}").content.decode()) == ["Solvay Matériaux"], typo


def test_dutch_visitor_with_a_typo_and_a_province_facet(client, directory, solvay):
    province = directory.province_of(solvay)
    html = client.get(f"/nl/directory/?q=chemmie&province={province}").content.decode()
    assert names(html) == ["Solvay Matériaux"]
    other = directory.province_of(directory.ecobeton)
    assert names(client.get(f"/nl/directory/?q=chemmie&province={other}").content.decode()) == []


def test_exact_matches_are_not_widened_by_typo_tolerance(client, directory, solvay):
    # "beton" exists: "baton" or other near words are not added.
    assert names(client.get("/fr/directory/?q=beton").content.decode()) == ["Écobéton Liège"]
    assert "orthographe proche" not in client.get("/fr/directory/?q=beton").content.decode()


def test_substrings_short_terms_and_municipalities(client, directory, solvay):
    assert names(client.get("/fr/directory/?q=eton").content.decode()) == ["Écobéton Liège"]
    assert names(client.get("/fr/directory/?q=co+local").content.decode()) == ["Bois &amp; Co"]
    assert "Écobéton Liège" in names(client.get("/en/directory/?q=liege").content.decode())


def test_market_facet_and_sort(client, directory, solvay):
    html = client.get("/fr/directory/?market=LU").content.decode()
    assert names(html) == ["Écobéton Liège"]
    html = client.get("/fr/directory/?sort=-name").content.decode()
    assert names(html) == ["Solvay Matériaux", "Isolants du Sud", "Écobéton Liège", "Bois &amp; Co"]
    assert client.get("/fr/directory/?sort=%27;drop").status_code == 200


@pytest.mark.parametrize(
    "query",
    ['"', '""', 'a"b', "%", "_", "*", "NEAR(a b)", "béton OR bois", "col:béton", "-bois", "^x", "\\", "\x00x"],
)
def test_query_syntax_is_never_interpreted(client, directory, query):
    response = client.get("/fr/directory/", {"q": query})
    assert response.status_code == 200


def test_percent_and_underscore_are_literal(client, directory):
    assert names(client.get("/fr/directory/", {"q": "%"}).content.decode()) == []
    assert names(client.get("/fr/directory/", {"q": "_"}).content.decode()) == []


def test_index_holds_public_organisations_and_public_text_only(directory):
    indexed = set(DirectoryEntry.objects.values_list("pk", flat=True))
    assert indexed == {directory.ecobeton.pk, directory.bois.pk, directory.isolants.pk}
    services.organisation_update(actor=None, organisation=directory.ecobeton, internal_notes="SECRET-NOTE-XYZ")
    assert not DirectoryEntry.objects.filter(document__contains="secret").exists()
    assert search.search(["secret"], {}).total == 0


def test_index_follows_consent_membership_and_taxonomy_changes(directory):
    services.organisation_update(actor=None, organisation=directory.bois, public_profile_consent=False)
    assert not DirectoryEntry.objects.filter(pk=directory.bois.pk).exists()
    membership = directory.isolants.memberships.get()
    services.membership_end(actor=None, membership=membership, end_date=dt.date(2024, 1, 1), status="resigned")
    assert not DirectoryEntry.objects.filter(pk=directory.isolants.pk).exists()
    directory.ecobeton.competences.add(directory.bim)
    assert "competence:bim" in DirectoryEntry.objects.get(pk=directory.ecobeton.pk).facets.split()
    directory.bim.name = "Modélisation paramétrique"
    directory.bim.save()
    assert search.search(["parametrique"], {}).ids == [directory.ecobeton.pk]


def test_a_membership_ending_without_a_save_is_caught_by_the_resync(directory):
    from grappe.ecosystem.models import Membership

    Membership.objects.filter(organisation=directory.bois).update(end_date=dt.date(2024, 1, 1))
    assert DirectoryEntry.objects.filter(pk=directory.bois.pk).exists()
    call_command("showcase_reindex", stdout=io.StringIO())
    assert not DirectoryEntry.objects.filter(pk=directory.bois.pk).exists()


def test_page_never_shows_an_organisation_that_stopped_being_public_before_the_resync(client, directory):
    Organisation.objects.filter(pk=directory.bois.pk).update(public_profile_consent=False)  # no signal
    assert "Bois &amp; Co" not in names(client.get("/fr/directory/").content.decode())


def test_osa_distance():
    assert search.osa_distance("solvey", "solvay") == 1
    assert search.osa_distance("slovay", "solvay") == 1
    assert search.osa_distance("abc", "abc") == 0
    assert search.osa_distance("abcd", "badc") == 2
    assert search.osa_distance("a", "abcdef") == 3


def test_a_database_that_predates_the_index_is_indexed_on_the_first_search(client, directory):
    from grappe.showcase.models import DirectoryState

    DirectoryEntry.objects.all().delete()
    DirectoryState.objects.all().delete()
    html = client.get("/fr/directory/").content.decode()
    assert names(html) == ["Bois &amp; Co", "Écobéton Liège", "Isolants du Sud"]
    assert DirectoryEntry.objects.count() == 3


def test_word_terms_are_answered_from_the_worker_vocabulary_as_the_database_would(directory, solvay):
    """The in-memory postings give exactly the database's substring matches, for any term without a space."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    snapshot = search.snapshot()
    by_database = {}
    terms = ["beton", "eton", "b", "co", "&", "bois", "liege", "4000", "recycle", "hergebruik", "chimie", "zzz", "'"]
    for term in terms:
        ranks = {snapshot.order.index(pk) for pk in search._text_ids([[term]])}
        by_database[term] = sum(1 << rank for rank in ranks)
    for term in terms:
        assert search._word_bitmap(snapshot, term) == by_database[term], term
    with CaptureQueriesContext(connection) as queries:
        assert search.search(["beton"], {}).ids == [directory.ecobeton.pk]
    assert len(queries.captured_queries) == 1  # the index state only


def test_a_term_with_a_space_still_goes_to_the_database(directory):
    assert search.search(["bois local"], {}).ids == [directory.bois.pk]
    assert search.search(["bois  local"], {}).ids == []


def test_directory_page_reads_only_public_card_columns(client, directory):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/fr/directory/?q=beton")  # facet labels loaded once per worker
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/fr/directory/?q=beton").content.decode()
    assert names(html) == ["Écobéton Liège"]
    assert len(queries.captured_queries) == 2  # index state, then the page's cards (membership re-checked)
    cards = queries.captured_queries[-1]["sql"]
    for private in ("internal_notes", "search_text", "email", "phone", "enterprise_number"):
        assert private not in cards
