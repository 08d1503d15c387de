"""Back office (administrators' escape hatch) for the showcase; staff work in the showcase's own pages."""

from typing import Any

from django import forms
from django.contrib import admin

from grappe.showcase.forms import PostForm, clean_post_image
from grappe.showcase.models import Certification, CommunicationAction, Opportunity, Post, ProfileProposal


class PostAdminForm(forms.ModelForm):
    """An image uploaded here is checked and re-encoded like in the staff editor (``forms.clean_post_image``)."""

    # The editor's own field (a plain file field: the size is checked before the file is read as an image).
    image = PostForm.base_fields["image"]

    def clean_image(self) -> Any:
        return clean_post_image(self.cleaned_data.get("image"))


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    form = PostAdminForm
    list_display = ("__str__", "kind", "status", "published_at")
    list_filter = ("kind", "status")
    search_fields = ("slug", "title_fr", "title_en", "title_nl", "title_de")
    filter_horizontal = ("organisations",)
    prepopulated_fields = {"slug": ("title_fr",)}


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "status", "expires_on", "organisation")
    list_filter = ("kind", "status")
    search_fields = ("title", "description")
    raw_id_fields = ("organisation",)


@admin.register(CommunicationAction)
class CommunicationActionAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "date", "country", "reach")
    list_filter = ("kind", "with_export_agency")
    search_fields = ("title", "channel")
    date_hierarchy = "date"
    filter_horizontal = ("organisations",)


@admin.register(ProfileProposal)
class ProfileProposalAdmin(admin.ModelAdmin):
    list_display = ("organisation", "status", "submitted_at", "reviewed_at")
    list_filter = ("status",)
    raw_id_fields = ("organisation",)
    readonly_fields = ("proposed", "published", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at")


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "issuer", "valid_until", "is_public", "status")
    list_filter = ("status", "is_public")
    search_fields = ("name", "issuer", "reference", "organisation__name")
    raw_id_fields = ("organisation",)
    date_hierarchy = "valid_until"
