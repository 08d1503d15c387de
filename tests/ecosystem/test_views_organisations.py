"""Staff organisation pages: list (search, filters, htmx, pagination), detail, create/edit, sites, activities, merge."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from grappe.core.models import AuditEntry
from grappe.core.registry import _panels, register_organisation_panel
from grappe.ecosystem import services
from grappe.ecosystem.models import Affiliation, Competence, Membership, Organisation, Segment, Site, ValueChain
from tests.ecosystem.ui_support import errors_of, plain_static_and_tmp_media  # noqa: F401

LIST = reverse("ecosystem:organisation_list")


def org(name: str, **fields) -> Organisation:
    postal_code = fields.pop("postal_code", None)
    nace = fields.pop("nace", None)
    organisation = services.organisation_create(actor=None, name=name, **fields)
    if postal_code:
        services.site_add(actor=None, organisation=organisation, postal_code=postal_code)
    if nace:
        services.activity_set(actor=None, organisation=organisation, codes=[nace])
    return organisation


def names(response) -> list[str]:
    return [o.name for o in response.context["organisations"]]


# --- list ----------------------------------------------------------------------------------------


def test_search_ignores_accents_and_case(staff_client, org_a, org_b):
    response = staff_client.get(LIST, {"q": "beta beton"})
    assert names(response) == ["Béton Bêta"]
    assert staff_client.get(LIST, {"q": "MATERIAUX"}).context["organisations"][0] == org_a


def test_search_finds_an_enterprise_number_written_with_dots(staff_client, org_a, org_b):
    assert names(staff_client.get(LIST, {"q": "0202.239.951"})) == ["Béton Bêta"]


def test_filters_by_kind_province_nace_and_membership_status(staff_client, org_a, org_b):
    lab = org("Laboratoire Gamma", kind=Organisation.Kind.RESEARCH_CENTRE, postal_code="1348", nace="72.10")
    prospect = org("Delta Prospect", postal_code="6000", nace="43.110")
    services.membership_create(
        actor=None, organisation=prospect, start_date=dt.date(2024, 1, 1), status=Membership.Status.PROSPECT
    )
    assert names(staff_client.get(LIST, {"kind": "research_centre"})) == [lab.name]
    # 5000 Namur is in the province of Namur (NIS 90000); 4000 Liège in Liège (60000).
    assert names(staff_client.get(LIST, {"province": "90000"})) == ["Alpha Matériaux"]
    assert names(staff_client.get(LIST, {"province": "60000"})) == ["Béton Bêta"]
    assert names(staff_client.get(LIST, {"nace": "43.1"})) == [prospect.name]
    assert names(staff_client.get(LIST, {"status": "member"})) == ["Alpha Matériaux", "Béton Bêta"]
    assert names(staff_client.get(LIST, {"status": "prospect"})) == [prospect.name]
    assert set(names(staff_client.get(LIST, {"status": "non_member"}))) == {lab.name, prospect.name}


def test_filters_by_value_chain_segment_and_competence(staff_client, org_a, org_b):
    chain = ValueChain.objects.create(name="Bâtiment circulaire", slug="batiment")
    segment = Segment.objects.create(value_chain=chain, name="Matériaux", slug="materiaux")
    competence = Competence.objects.create(name="Béton recyclé", slug="beton-recycle")
    services.organisation_update(actor=None, organisation=org_a, segments=[segment])
    services.organisation_update(actor=None, organisation=org_b, competences=[competence])
    assert names(staff_client.get(LIST, {"value_chain": "batiment"})) == ["Alpha Matériaux"]
    assert names(staff_client.get(LIST, {"segment": str(segment.pk)})) == ["Alpha Matériaux"]
    assert names(staff_client.get(LIST, {"competence": "beton-recycle"})) == ["Béton Bêta"]


def test_list_shows_place_membership_badge_and_main_nace(staff_client, org_a):
    services.activity_set(actor=None, organisation=org_a, codes=["23.630", "43.110"], main="23.630")
    html = staff_client.get(LIST).content.decode()
    assert "Namur" in html
    assert "badge-ok" in html
    assert "23.630" in html
    assert "43.110" not in html  # only the main activity is listed


def test_list_paginates_by_fifty_and_counts_everything(staff_client):
    for i in range(55):
        Organisation.objects.create(name=f"Org {i:02d}", slug=f"org-{i}")
    first = staff_client.get(LIST)
    assert len(first.context["organisations"]) == 50
    assert first.context["page"].paginator.count == 55
    assert "55 organisations" in first.content.decode()
    second = staff_client.get(LIST, {"page": 2})
    assert names(second) == [f"Org {i}" for i in range(50, 55)]


def test_list_sorts_by_recent_update(staff_client, org_a, org_b):
    services.organisation_update(actor=None, organisation=org_a, website="https://alpha.example")
    assert names(staff_client.get(LIST, {"sort": "-updated"}))[0] == "Alpha Matériaux"
    assert names(staff_client.get(LIST, {"sort": "name"}))[0] == "Alpha Matériaux"
    Organisation.objects.filter(pk=org_b.pk).update(updated_at=dt.datetime(2100, 1, 1, tzinfo=dt.UTC))
    assert names(staff_client.get(LIST, {"sort": "-updated"}))[0] == "Béton Bêta"


def test_htmx_request_gets_only_the_results_fragment(staff_client, org_a):
    response = staff_client.get(LIST, {"q": "alpha"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "Alpha Matériaux" in html
    assert "<html" not in html
    assert "<form" not in html


def test_full_page_carries_htmx_attributes_and_a_plain_form(staff_client):
    html = staff_client.get(LIST).content.decode()
    assert 'hx-get="/staff/organisations/"' in html
    assert 'hx-push-url="true"' in html
    assert 'method="get" action="/staff/organisations/"' in html


def test_export_links_keep_the_filters_when_export_exists(staff_client, org_a):
    response = staff_client.get(LIST, {"q": "alpha", "kind": "company"})
    urls = response.context["export_urls"]
    assert urls["csv"] == reverse("ecosystem:organisation_export", args=["csv"]) + "?q=alpha&kind=company"
    assert urls["xlsx"].endswith("?q=alpha&kind=company")


def test_export_links_disappear_quietly_when_the_export_url_is_absent(staff_client, monkeypatch):
    from grappe.ecosystem import views

    real = views.reverse

    def reverse_without_transfer(name, *args, **kwargs):
        if name in ("ecosystem:organisation_export", "ecosystem:organisation_import"):
            raise views.NoReverseMatch(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(views, "reverse", reverse_without_transfer)
    response = staff_client.get(LIST)
    assert response.status_code == 200
    assert response.context["export_urls"] == {}
    assert response.context["import_url"] is None


def test_invalid_filter_values_do_not_break_the_list(staff_client, org_a):
    response = staff_client.get(LIST, {"kind": "spaceship", "page": "abc", "segment": "x"})
    assert response.status_code == 200


def test_list_query_count_does_not_grow_with_the_page(staff_client, django_assert_max_num_queries):
    for i in range(60):
        organisation = org(f"Entreprise {i:02d}", postal_code="5000", nace="43.110")
        services.membership_create(actor=None, organisation=organisation, start_date=dt.date(2023, 1, 1))
    with django_assert_max_num_queries(20):
        response = staff_client.get(LIST, {"q": "entreprise", "status": "member"})
    assert len(response.context["organisations"]) == 50


# --- detail --------------------------------------------------------------------------------------


def test_detail_shows_identity_with_formatted_number_and_legal_form_label(staff_client, org_a):
    services.organisation_update(
        actor=None,
        organisation=org_a,
        legal_form="610",
        founded_on=dt.date(2001, 5, 4),
        headcount_band="10-19",
        description_fr="Matériaux biosourcés",
        description_en="Bio-based materials",
    )
    html = staff_client.get(reverse("ecosystem:organisation_detail", args=[org_a.pk])).content.decode()
    assert "0403.019.261" in html
    assert "Société à responsabilité limitée" in html
    assert "petite entreprise" in html
    assert 'lang="en"' in html
    assert "Bio-based materials" in html


def test_detail_draws_the_sites_on_an_offline_svg_map(staff_client, org_a):
    html = staff_client.get(reverse("ecosystem:organisation_detail", args=[org_a.pk])).content.decode()
    assert "<svg" in html
    assert 'class="map-site"' in html
    assert "tile" not in html.lower()
    assert "Province de Namur" in html or "Namur" in html


def test_detail_lists_current_and_past_people(staff_client, org_a, member_a):
    former = services.person_create(actor=None, first_name="Paul", last_name="Passé")
    services.affiliation_create(
        actor=None,
        person=former,
        organisation=org_a,
        function="Ingénieur",
        start_date=dt.date(2015, 1, 1),
        end_date=dt.date(2020, 1, 1),
    )
    response = staff_client.get(reverse("ecosystem:organisation_detail", args=[org_a.pk]))
    assert [a.person.last_name for a in response.context["current_affiliations"]] == ["Alpha"]
    assert [a.person.last_name for a in response.context["past_affiliations"]] == ["Passé"]


def test_detail_shows_history_newest_first_with_field_diffs(staff_client, staff_user, org_a):
    services.organisation_update(actor=staff_user, organisation=org_a, website="https://alpha.example")
    response = staff_client.get(reverse("ecosystem:organisation_detail", args=[org_a.pk]))
    entry, changes = response.context["history"][0]
    assert entry.action == "ecosystem.organisation.updated"
    assert [(c.field, c.old, c.new) for c in changes] == [("site web", "", "https://alpha.example")]
    html = response.content.decode()
    assert "Sophie Staff" in html
    assert "<ins>https://alpha.example</ins>" in html


def test_history_of_a_creation_leaves_out_blank_fields(staff_client, org_a):
    response = staff_client.get(reverse("ecosystem:organisation_detail", args=[org_a.pk]))
    created = next(c for e, c in response.context["history"] if e.action == "ecosystem.organisation.created")
    fields = {c.field for c in created}
    assert {"nom", "numéro d'entreprise (BCE)"} <= fields
    assert "site web" not in fields
    assert "id" not in fields


def test_detail_shows_internal_notes_and_fees_to_staff(staff_client, org_a):
    services.organisation_update(actor=None, organisation=org_a, internal_notes="Client difficile")
    html = staff_client.get(reverse("ecosystem:organisation_detail", args=[org_a.pk])).content.decode()
    assert "Client difficile" in html
    assert "500.00 €" in html or "500,00 €" in html


def test_detail_loads_registered_panels_with_htmx(staff_client, org_a):
    register_organisation_panel("Événements", "ecosystem:organisation_detail", order=1)
    register_organisation_panel("Panneau absent", "nowhere:panel", order=2)
    try:
        html = staff_client.get(reverse("ecosystem:organisation_detail", args=[org_a.pk])).content.decode()
    finally:
        _panels.pop("ecosystem:organisation_detail")
        _panels.pop("nowhere:panel")
    assert f'hx-get="/staff/organisations/{org_a.pk}/" hx-trigger="load"' in html
    assert "Panneau absent" not in html


def test_detail_of_a_missing_organisation_is_404(staff_client):
    assert staff_client.get(reverse("ecosystem:organisation_detail", args=[999999])).status_code == 404


# --- create / edit -------------------------------------------------------------------------------

CREATE = reverse("ecosystem:organisation_create")


def test_staff_creates_an_organisation_with_head_office_and_main_activity(staff_client, staff_user):
    response = staff_client.post(
        CREATE,
        {
            "name": "Éco-Bois",
            "kind": "company",
            "enterprise_number": "BE 0403.019.261",
            "site_postal_code": "6000",
            "site_street": "Rue du Bois",
            "site_number": "3",
            "main_nace": "16.230",
            "description_fr": "Menuiserie",
        },
    )
    created = Organisation.objects.get(name="Éco-Bois")
    assert response.status_code == 302
    assert response.url == reverse("ecosystem:organisation_detail", args=[created.pk])
    assert created.enterprise_number == "0403019261"
    assert created.sites.get().municipality.label_fr == "Charleroi"
    assert created.activities.get().nace.code == "16230"
    assert AuditEntry.objects.filter(organisation_id=created.pk, actor=staff_user).count() == 3


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        ({"enterprise_number": "0123.456.789"}, "enterprise_number", "n'est pas un numéro d'entreprise valide"),
        ({"site_postal_code": "9999"}, "site_postal_code", "Code postal inconnu"),
        ({"main_nace": "99.999"}, "main_nace", "inconnu"),
        ({"website": "pas une url"}, "website", ""),
        ({"name": ""}, "name", ""),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(staff_client, data, field, fragment):
    before = (Organisation.objects.count(), AuditEntry.objects.count())
    response = staff_client.post(CREATE, {"name": "Nouvelle", "kind": "company", **data})
    assert response.status_code == 200
    errors = errors_of(response)
    assert field in errors
    assert fragment in " ".join(errors[field])
    assert (Organisation.objects.count(), AuditEntry.objects.count()) == before


def test_duplicate_enterprise_number_names_the_other_organisation(staff_client, org_a):
    response = staff_client.post(CREATE, {"name": "Copie", "kind": "company", "enterprise_number": "0403019261"})
    assert "Alpha Matériaux" in " ".join(errors_of(response)["enterprise_number"])
    assert not Organisation.objects.filter(name="Copie").exists()


def test_service_error_after_form_validation_rolls_back_every_step(staff_client, monkeypatch):
    """If a later service call fails, the organisation created in the same request is not kept."""
    from django.core.exceptions import ValidationError

    from grappe.ecosystem import views

    def failing_activity_set(**kwargs):
        raise ValidationError({"nace": "boom"})

    monkeypatch.setattr(views.services, "activity_set", failing_activity_set)
    response = staff_client.post(
        CREATE, {"name": "Fantôme", "kind": "company", "site_postal_code": "5000", "main_nace": "43.110"}
    )
    assert response.status_code == 200
    assert "boom" in response.content.decode()
    assert not Organisation.objects.filter(name="Fantôme").exists()
    assert not Site.objects.exists()


def test_staff_edits_every_field_including_notes_and_number(staff_client, org_a):
    url = reverse("ecosystem:organisation_edit", args=[org_a.pk])
    form = staff_client.get(url).context["form"]
    assert form.initial["enterprise_number"] == "0403.019.261"
    response = staff_client.post(
        url,
        {
            "name": "Alpha Matériaux",
            "kind": "startup",
            "enterprise_number": "0403.019.261",
            "internal_notes": "Rencontré au salon",
            "other_names_text": "Alpha SA\nAlpha Mat",
            "export_markets": ["FR", "NL"],
            "headcount_band": "50-99",
        },
    )
    assert response.status_code == 302
    org_a.refresh_from_db()
    assert org_a.kind == "startup"
    assert org_a.internal_notes == "Rencontré au salon"
    assert org_a.other_names == ["Alpha SA", "Alpha Mat"]
    assert [c.code for c in org_a.export_markets] == ["FR", "NL"]
    assert org_a.sme_status == "medium"


def test_editing_to_a_number_already_taken_is_refused(staff_client, org_a, org_b):
    url = reverse("ecosystem:organisation_edit", args=[org_b.pk])
    response = staff_client.post(url, {"name": "Béton Bêta", "kind": "company", "enterprise_number": "0403019261"})
    assert "Alpha Matériaux" in " ".join(errors_of(response)["enterprise_number"])
    org_b.refresh_from_db()
    assert org_b.enterprise_number == "0202239951"


def _png(size=(40, 20), fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(buffer, format=fmt)
    return buffer.getvalue()


def test_logo_upload_is_re_encoded_as_png(staff_client, org_a):
    upload = SimpleUploadedFile("logo.jpg", _png(fmt="JPEG"), content_type="image/jpeg")
    url = reverse("ecosystem:organisation_edit", args=[org_a.pk])
    response = staff_client.post(url, {"name": org_a.name, "kind": "company", "logo": upload})
    assert response.status_code == 302
    org_a.refresh_from_db()
    assert org_a.logo.name.endswith(".png")
    with org_a.logo.open("rb") as stored:
        assert Image.open(stored).format == "PNG"


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"%PDF-1.4 not an image", "logo.png"), (b"GIF89a" + b"\x00" * 10, "logo.gif")],
)
def test_a_file_that_is_not_an_image_is_refused_as_logo(staff_client, org_a, content, name):
    url = reverse("ecosystem:organisation_edit", args=[org_a.pk])
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    response = staff_client.post(url, {"name": org_a.name, "kind": "company", "logo": upload})
    assert response.status_code == 200
    assert "logo" in errors_of(response)
    org_a.refresh_from_db()
    assert not org_a.logo


def test_a_logo_larger_than_two_megabytes_is_refused(staff_client, org_a, monkeypatch):
    from grappe.ecosystem import forms

    monkeypatch.setattr(forms, "LOGO_MAX_BYTES", 100)
    upload = SimpleUploadedFile("logo.png", _png(size=(200, 200)), content_type="image/png")
    response = staff_client.post(
        reverse("ecosystem:organisation_edit", args=[org_a.pk]), {"name": org_a.name, "kind": "company", "logo": upload}
    )
    assert "2 Mo" in " ".join(errors_of(response)["logo"])


# --- sites and activities ------------------------------------------------------------------------


def test_staff_adds_a_site_with_htmx_and_gets_the_updated_fragment(staff_client, org_a):
    response = staff_client.post(
        reverse("ecosystem:site_add", args=[org_a.pk]),
        {"site-postal_code": "1348", "site-street": "Place de l'Université"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Ottignies-Louvain-la-Neuve" in html
    assert org_a.sites.count() == 2


def test_unknown_postal_code_for_a_site_is_reported_and_nothing_added(staff_client, org_a):
    response = staff_client.post(reverse("ecosystem:site_add", args=[org_a.pk]), {"site-postal_code": "0042"})
    assert response.status_code == 200
    assert "Code postal inconnu" in response.content.decode()
    assert org_a.sites.count() == 1


def test_staff_removes_a_site(staff_client, org_a):
    site = org_a.sites.get()
    response = staff_client.post(reverse("ecosystem:site_remove", args=[org_a.pk, site.pk]))
    assert response.status_code == 302
    assert not org_a.sites.exists()


def test_site_of_another_organisation_cannot_be_removed_through_this_one(staff_client, org_a, org_b):
    site_b = org_b.sites.get()
    response = staff_client.post(reverse("ecosystem:site_remove", args=[org_a.pk, site_b.pk]))
    assert response.status_code == 404
    assert org_b.sites.exists()


def test_staff_sets_activities_with_dotted_and_undotted_codes(staff_client, org_a):
    response = staff_client.post(
        reverse("ecosystem:activities_set", args=[org_a.pk]),
        {"activity-codes": "43.110, 23630", "activity-main": "23.630", "activity-version": "2025"},
    )
    assert response.status_code == 302
    assert sorted(org_a.activities.values_list("nace__code", "is_main")) == [("23630", True), ("43110", False)]


def test_unknown_nace_codes_are_listed_and_activities_unchanged(staff_client, org_a):
    services.activity_set(actor=None, organisation=org_a, codes=["43.110"])
    response = staff_client.post(
        reverse("ecosystem:activities_set", args=[org_a.pk]),
        {"activity-codes": "43.110, 99.999, zz", "activity-version": "2025"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "99.999" in html
    assert "zz" in html
    assert list(org_a.activities.values_list("nace__code", flat=True)) == ["43110"]


# --- merge ---------------------------------------------------------------------------------------


def test_merge_search_lists_candidates_but_not_the_kept_organisation(staff_client, org_a, org_b):
    duplicate = org("Alpha Materiaux SA")
    response = staff_client.get(reverse("ecosystem:organisation_merge", args=[org_a.pk]), {"q": "alpha"})
    assert [c.pk for c in response.context["candidates"]] == [duplicate.pk]


def test_merge_preview_counts_what_moves_side_by_side(staff_client, org_a, member_a, member_b):
    duplicate = org("Alpha bis", postal_code="5000", nace="43.110")
    services.affiliation_create(actor=None, person=member_b.person, organisation=duplicate)
    response = staff_client.get(reverse("ecosystem:organisation_merge", args=[org_a.pk]), {"duplicate": duplicate.pk})
    preview = {str(label): (mine, theirs) for label, mine, theirs in response.context["preview"]}
    assert preview["affiliations"] == (1, 1)
    assert preview["sites"] == (1, 1)
    assert preview["activités"] == (0, 1)
    assert preview["adhésions"] == (1, 0)


def test_merge_moves_everything_and_redirects_with_a_message(staff_client, staff_user, org_a, org_b, member_b):
    response = staff_client.post(
        reverse("ecosystem:organisation_merge", args=[org_a.pk]), {"duplicate": org_b.pk}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("ecosystem:organisation_detail", args=[org_a.pk])
    assert "a été fusionnée" in response.content.decode()
    assert not Organisation.objects.filter(pk=org_b.pk).exists()
    assert Affiliation.objects.filter(organisation=org_a, person=member_b.person).exists()
    assert Membership.objects.filter(organisation=org_a).count() == 2
    assert AuditEntry.objects.filter(action="ecosystem.organisation.merged", actor=staff_user).exists()


def test_merging_an_organisation_with_itself_is_refused(staff_client, org_a):
    response = staff_client.post(
        reverse("ecosystem:organisation_merge", args=[org_a.pk]), {"duplicate": org_a.pk}, follow=True
    )
    assert "elle-même" in response.content.decode()
    assert Organisation.objects.filter(pk=org_a.pk).exists()


def test_delete_removes_the_organisation_and_audits_it(staff_client, org_b):
    response = staff_client.post(reverse("ecosystem:organisation_delete", args=[org_b.pk]))
    assert response.status_code == 302
    assert not Organisation.objects.filter(pk=org_b.pk).exists()
    assert AuditEntry.objects.filter(action="ecosystem.organisation.deleted", organisation_id=org_b.pk).exists()


def test_list_badges_tell_members_from_former_members_and_prospects(staff_client, org_a, org_b):
    services.membership_end(
        actor=None, membership=org_b.memberships.get(), end_date=dt.date(2024, 6, 30), status=Membership.Status.LAPSED
    )
    prospect = org("Gamma Prospect")
    services.membership_create(
        actor=None, organisation=prospect, start_date=dt.date(2025, 1, 1), status=Membership.Status.PROSPECT
    )
    badges = {o.name: o.badge.status for o in staff_client.get(LIST).context["organisations"]}
    assert badges == {"Alpha Matériaux": "member", "Béton Bêta": "lapsed", "Gamma Prospect": "prospect"}


def test_detail_query_count_does_not_grow_with_people_and_history(staff_client, org_a, django_assert_max_num_queries):
    for i in range(15):
        person = services.person_create(actor=None, first_name="P", last_name=f"Personne {i}")
        services.affiliation_create(actor=None, person=person, organisation=org_a, function="Technicien")
        services.site_add(actor=None, organisation=org_a, postal_code="5000", label=f"Dépôt {i}")
    with django_assert_max_num_queries(30):
        response = staff_client.get(reverse("ecosystem:organisation_detail", args=[org_a.pk]))
    assert len(response.context["current_affiliations"]) == 15


def test_delete_is_refused_with_a_reason_while_a_project_depends_on_the_organisation(staff_client, staff_user, org_b):
    from django.utils import timezone

    from grappe.innovation.models import InnovationProject

    InnovationProject.objects.create(
        title="Capteurs de vibration", lead_organisation=org_b, stage_entered_at=timezone.now()
    )
    response = staff_client.post(reverse("ecosystem:organisation_delete", args=[org_b.pk]), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "ne peut pas être supprimée" in html
    assert "Réattribuez-le" in html
    assert Organisation.objects.filter(pk=org_b.pk).exists()
    assert not AuditEntry.objects.filter(action="ecosystem.organisation.deleted", organisation_id=org_b.pk).exists()
