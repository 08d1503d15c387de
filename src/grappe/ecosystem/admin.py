"""The Django admin (back office) for the ecosystem: every model, searchable and filterable.

The admin writes rows directly, without the services: it is the administrators' escape hatch, and
every save still lands in Django's own admin log. Day-to-day edits go through the workspace.
"""

from typing import Any

from django import forms
from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from grappe.ecosystem.models import (
    Activity,
    Affiliation,
    Competence,
    Consent,
    Membership,
    Organisation,
    Person,
    Relationship,
    Segment,
    Site,
    Topic,
    ValueChain,
)


class SegmentInline(admin.TabularInline):
    model = Segment
    fields = ("order", "name", "slug")
    extra = 0
    show_change_link = True


@admin.register(ValueChain)
class ValueChainAdmin(TranslationAdmin):
    list_display = ("name", "slug", "order")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [SegmentInline]


@admin.register(Segment)
class SegmentAdmin(TranslationAdmin):
    list_display = ("name", "value_chain", "order")
    list_filter = ("value_chain",)
    search_fields = ("name", "slug")
    autocomplete_fields = ("competences",)
    raw_id_fields = ("nace_codes",)  # thousands of NACE codes: ids, not a select


@admin.register(Competence)
class CompetenceAdmin(TranslationAdmin):
    list_display = ("name", "parent", "slug")
    list_filter = (("parent", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "slug")
    autocomplete_fields = ("parent",)


@admin.register(Topic)
class TopicAdmin(TranslationAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")


class ActivityInline(admin.TabularInline):
    model = Activity
    extra = 0
    raw_id_fields = ("nace",)


class SiteInline(admin.StackedInline):
    model = Site
    extra = 0
    raw_id_fields = ("postal_code", "municipality")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("tier", "status", "start_date", "end_date", "yearly_fee", "renewal_date", "fee_paid_until")


class OrganisationAdminForm(forms.ModelForm):
    """A logo uploaded here is checked and re-encoded like on the staff pages (``forms.clean_logo``)."""

    def clean_logo(self) -> Any:
        from grappe.ecosystem.forms import clean_logo

        return clean_logo(self.cleaned_data.get("logo"))


@admin.register(Organisation)
class OrganisationAdmin(TranslationAdmin):
    form = OrganisationAdminForm
    list_display = ("name", "kind", "enterprise_number", "sme_status", "source", "updated_at")
    list_filter = ("kind", "sme_status", "source", "public_profile_consent", "segments__value_chain")
    search_fields = ("name", "acronym", "enterprise_number", "search_text")
    autocomplete_fields = ("segments", "competences")
    readonly_fields = ("created_at", "updated_at", "public_profile_consent_at")
    inlines = [SiteInline, ActivityInline, MembershipInline]
    date_hierarchy = "created_at"


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("organisation", "nace", "is_main")
    list_filter = ("is_main", "nace__version")
    search_fields = ("organisation__name", "nace__code", "nace__label_fr")
    autocomplete_fields = ("organisation",)
    raw_id_fields = ("nace",)


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("organisation", "postal_code", "municipality", "is_head_office")
    list_filter = ("is_head_office", "municipality__province")
    search_fields = ("organisation__name", "street", "postal_code__code", "municipality__label_fr")
    autocomplete_fields = ("organisation",)
    raw_id_fields = ("postal_code", "municipality")


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 0
    autocomplete_fields = ("organisation",)


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "email", "erased_at")
    list_filter = (("erased_at", admin.EmptyFieldListFilter),)
    search_fields = ("first_name", "last_name", "email", "search_text")
    autocomplete_fields = ("interests",)
    inlines = [AffiliationInline, ConsentInline]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ("person", "purpose", "given_at", "source", "withdrawn_at")
    list_filter = ("purpose", "source", ("withdrawn_at", admin.EmptyFieldListFilter))
    search_fields = ("person__last_name", "person__first_name", "person__email")
    autocomplete_fields = ("person",)


@admin.register(Affiliation)
class AffiliationAdmin(admin.ModelAdmin):
    list_display = ("person", "organisation", "function", "start_date", "end_date", "is_primary_contact")
    list_filter = ("is_primary_contact", ("end_date", admin.EmptyFieldListFilter))
    search_fields = ("person__last_name", "person__first_name", "organisation__name", "function", "email")
    autocomplete_fields = ("person", "organisation")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("organisation", "tier", "status", "start_date", "end_date", "yearly_fee", "renewal_date")
    list_filter = ("status", "tier")
    search_fields = ("organisation__name", "organisation__enterprise_number")
    autocomplete_fields = ("organisation",)
    date_hierarchy = "start_date"


@admin.register(Relationship)
class RelationshipAdmin(admin.ModelAdmin):
    list_display = ("source", "kind", "target", "since")
    list_filter = ("kind",)
    search_fields = ("source__name", "target__name", "note")
    autocomplete_fields = ("source", "target")
