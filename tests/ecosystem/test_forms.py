"""Ecosystem forms: parsing and validation that happen before any service is called."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from grappe.ecosystem.forms import ActivityForm, OrganisationForm, OrganisationProfileForm, SiteForm, clean_logo
from grappe.ecosystem.models import Organisation


def test_activity_form_accepts_commas_semicolons_and_new_lines(db):
    form = ActivityForm({"codes": "43.110;23630\n71.11", "main": "71.11", "version": "2025"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["code_list"] == ["43.110", "23630", "71.11"]


def test_activity_form_main_code_must_be_listed(db):
    form = ActivityForm({"codes": "43.110", "main": "23.630", "version": "2025"})
    assert not form.is_valid()
    assert "main" in form.errors


def test_activity_form_checks_codes_against_the_chosen_version(db):
    # 62.010 is a NACE-BEL 2008 subclass; NACE-BEL 2025 renumbered it 62.100.
    assert ActivityForm({"codes": "62.010", "version": "2008"}).is_valid()
    form = ActivityForm({"codes": "62.010", "version": "2025"})
    assert not form.is_valid()
    assert "62.010" in str(form.errors["codes"])


def test_organisation_form_normalises_the_enterprise_number(db):
    form = OrganisationForm({"name": "X", "kind": "company", "enterprise_number": "BE 0403 019 261"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["enterprise_number"] == "0403019261"
    assert form.cleaned_data["source"] == "manual"


def test_organisation_form_turns_an_empty_number_into_none(db):
    form = OrganisationForm({"name": "X", "kind": "company", "enterprise_number": "  "})
    assert form.is_valid(), form.errors
    assert form.service_fields()["enterprise_number"] is None


def test_organisation_form_does_not_touch_the_instance(db):
    organisation = Organisation.objects.create(name="Avant", slug="avant")
    form = OrganisationForm({"name": "Après", "kind": "company"}, instance=organisation)
    assert form.is_valid(), form.errors
    assert organisation.name == "Avant"
    assert form.service_fields()["name"] == "Après"


def test_profile_form_service_fields_are_limited_to_the_member_subset(db):
    form = OrganisationProfileForm({"website": "https://a.example", "internal_notes": "x", "name": "y"})
    assert form.is_valid(), form.errors
    fields = form.service_fields()
    assert "internal_notes" not in fields
    assert "name" not in fields
    assert fields["website"] == "https://a.example"


def test_site_form_rejects_an_unknown_postal_code(db):
    form = SiteForm({"postal_code": "1234"})
    assert not form.is_valid()
    assert "Code postal inconnu" in str(form.errors["postal_code"])


def test_clean_logo_shrinks_big_images_and_returns_png():
    buffer = io.BytesIO()
    Image.new("RGB", (2000, 1000), "white").save(buffer, format="WEBP")
    result = clean_logo(SimpleUploadedFile("big.webp", buffer.getvalue(), content_type="image/webp"))
    image = Image.open(io.BytesIO(result.read()))
    assert image.format == "PNG"
    assert max(image.size) == 800


def test_clean_logo_passes_unchanged_and_cleared_values_through():
    assert clean_logo(None) is None
    assert clean_logo(False) is False
