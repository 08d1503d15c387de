"""The Django admin (back office) lists, searches and opens every ecosystem model."""

import pytest
from django.contrib import admin
from django.urls import reverse

from grappe.ecosystem import models
from tests.ecosystem.ui_support import plain_static_and_tmp_media  # noqa: F401

MODELS = [
    models.ValueChain,
    models.Segment,
    models.Competence,
    models.Topic,
    models.Organisation,
    models.Activity,
    models.Site,
    models.Person,
    models.Consent,
    models.Affiliation,
    models.Membership,
    models.Relationship,
]


def test_every_ecosystem_model_is_registered_in_the_admin():
    registered = {model for model in admin.site._registry if model._meta.app_label == "ecosystem"}
    assert registered == set(MODELS)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_admin_changelist_search_and_add_pages_open(admin_client_, member_a, model):
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert admin_client_.get(changelist).status_code == 200
    assert admin_client_.get(changelist, {"q": "alpha"}).status_code == 200
    assert admin_client_.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 200


def test_admin_change_page_of_an_organisation_shows_translated_descriptions(admin_client_, org_a):
    response = admin_client_.get(reverse("admin:ecosystem_organisation_change", args=[org_a.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="description_nl"' in html
    assert 'name="sites-0-postal_code"' in html


def test_staff_without_admin_flag_does_not_reach_the_back_office(staff_client):
    response = staff_client.get(reverse("admin:ecosystem_organisation_changelist"))
    assert response.status_code == 302
