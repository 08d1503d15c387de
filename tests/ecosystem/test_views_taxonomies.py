"""Taxonomies edited by staff: value chains, segments with NACE codes, the competence tree, topics."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from grappe.core.models import AuditEntry
from grappe.ecosystem import taxonomy_services
from grappe.ecosystem.models import Competence, Segment, Topic, ValueChain
from tests.ecosystem.ui_support import errors_of, plain_static_and_tmp_media  # noqa: F401


@pytest.fixture
def chain(db) -> ValueChain:
    return taxonomy_services.value_chain_save(actor=None, name_fr="Bâtiment circulaire", slug="batiment", order=1)


def test_staff_creates_a_value_chain_with_translated_names(staff_client, staff_user):
    response = staff_client.post(
        reverse("ecosystem:taxonomy_create", args=["value-chain"]),
        {"name_fr": "Rénovation énergétique", "name_nl": "Energierenovatie", "slug": "", "order": "2"},
    )
    assert response.url == reverse("ecosystem:taxonomy_index")
    chain = ValueChain.objects.get()
    assert (chain.name_fr, chain.name_nl, chain.slug) == (
        "Rénovation énergétique",
        "Energierenovatie",
        "renovation-energetique",
    )
    assert AuditEntry.objects.filter(action="ecosystem.valuechain.created", actor=staff_user).exists()


def test_staff_creates_a_segment_with_dotted_and_undotted_nace_codes_of_any_level(staff_client, chain):
    response = staff_client.post(
        reverse("ecosystem:taxonomy_create", args=["segment"]),
        {
            "value_chain": chain.pk,
            "name_fr": "Matériaux",
            "slug": "materiaux",
            "order": "1",
            "nace_version": "2025",
            "nace_codes_text": "08.1, 1621, 23.5; 23.6",
        },
    )
    assert response.status_code == 302
    segment = Segment.objects.get()
    assert sorted(segment.nace_codes.values_list("code", flat=True)) == ["081", "1621", "235", "236"]
    index = staff_client.get(reverse("ecosystem:taxonomy_index")).content.decode()
    assert "23.5" in index
    assert segment.nace_codes.get(code="236").label_fr[:20] in index


def test_unknown_nace_codes_in_a_segment_are_named_and_nothing_is_saved(staff_client, chain):
    response = staff_client.post(
        reverse("ecosystem:taxonomy_create", args=["segment"]),
        {
            "value_chain": chain.pk,
            "name_fr": "Numérique",
            "slug": "numerique",
            "order": "1",
            "nace_version": "2025",
            "nace_codes_text": "62.10, 99.99",
        },
    )
    assert response.status_code == 200
    assert "99.99" in " ".join(errors_of(response)["nace_codes_text"])
    assert not Segment.objects.exists()


def test_editing_a_segment_prefills_its_codes_and_replaces_them(staff_client, chain):
    segment = taxonomy_services.segment_save(
        actor=None, value_chain=chain, name_fr="Conception", slug="conception", nace_codes=["71.11"]
    )
    url = reverse("ecosystem:taxonomy_edit", args=["segment", segment.pk])
    assert staff_client.get(url).context["form"].initial["nace_codes_text"] == "71.11"
    staff_client.post(
        url,
        {
            "value_chain": chain.pk,
            "name_fr": "Conception",
            "slug": "conception",
            "order": "2",
            "nace_version": "2025",
            "nace_codes_text": "71.12",
        },
    )
    assert list(segment.nace_codes.values_list("code", flat=True)) == ["7112"]


def test_duplicate_slug_is_reported_on_the_field(staff_client):
    Topic.objects.create(name="Réemploi", slug="reemploi")
    response = staff_client.post(
        reverse("ecosystem:taxonomy_create", args=["topic"]), {"name_fr": "Réemploi bis", "slug": "reemploi"}
    )
    assert "slug" in errors_of(response)
    assert Topic.objects.count() == 1


def test_competence_tree_is_listed_parents_first_with_depth(staff_client):
    root = taxonomy_services.competence_save(actor=None, name_fr="Matériaux", slug="materiaux")
    child = taxonomy_services.competence_save(actor=None, name_fr="Béton", slug="beton", parent=root)
    grandchild = taxonomy_services.competence_save(actor=None, name_fr="Béton recyclé", slug="beton-r", parent=child)
    response = staff_client.get(reverse("ecosystem:taxonomy_index"))
    assert response.context["competences"] == [(root, 0), (child, 1), (grandchild, 2)]


def test_a_competence_cannot_become_its_own_descendant(staff_client):
    root = taxonomy_services.competence_save(actor=None, name_fr="Matériaux", slug="materiaux")
    child = taxonomy_services.competence_save(actor=None, name_fr="Béton", slug="beton", parent=root)
    grandchild = taxonomy_services.competence_save(actor=None, name_fr="Béton recyclé", slug="beton-r", parent=child)
    with pytest.raises(ValidationError) as excinfo:
        taxonomy_services.competence_save(actor=None, competence=root, parent=grandchild)
    assert "parent" in excinfo.value.message_dict
    root.refresh_from_db()
    assert root.parent is None


def test_the_competence_form_does_not_offer_itself_as_parent(staff_client):
    root = taxonomy_services.competence_save(actor=None, name_fr="Matériaux", slug="materiaux")
    form = staff_client.get(reverse("ecosystem:taxonomy_edit", args=["competence", root.pk])).context["form"]
    assert root not in form.fields["parent"].queryset


def test_updates_are_audited_with_the_diff(staff_user):
    topic = taxonomy_services.topic_save(actor=staff_user, name_fr="Bois", slug="bois")
    taxonomy_services.topic_save(actor=staff_user, topic=topic, name_en="Wood")
    entry = AuditEntry.objects.filter(action="ecosystem.topic.updated").get()
    assert entry.changes == {"name_en": [None, "Wood"]}


def test_staff_deletes_a_topic(staff_client):
    topic = Topic.objects.create(name="Ancien", slug="ancien")
    response = staff_client.post(reverse("ecosystem:taxonomy_delete", args=["topic", topic.pk]))
    assert response.status_code == 302
    assert not Topic.objects.exists()
    assert AuditEntry.objects.filter(action="ecosystem.topic.deleted").exists()


def test_an_unknown_taxonomy_kind_is_404(staff_client):
    assert staff_client.get("/staff/taxonomies/planets/new/").status_code == 404


def test_deleting_a_competence_keeps_the_organisations(staff_client, org_a):
    competence = Competence.objects.create(name="Chaux", slug="chaux")
    org_a.competences.add(competence)
    staff_client.post(reverse("ecosystem:taxonomy_delete", args=["competence", competence.pk]))
    assert not org_a.competences.exists()
    org_a.refresh_from_db()
