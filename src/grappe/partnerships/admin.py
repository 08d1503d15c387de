"""Back-office for partnerships (the staff pages are the everyday tool; writes there bypass the audit)."""

from typing import Any

from django import forms
from django.contrib import admin

from grappe.core.uploads import DocumentValidator
from grappe.partnerships.models import (
    Collaboration,
    CollaborationDocument,
    Interaction,
    Introduction,
    IntroductionRequest,
    Partner,
    Reminder,
)


class PartnerInline(admin.TabularInline):
    model = Partner
    extra = 0
    autocomplete_fields = ("organisation",)


class DocumentAdminForm(forms.ModelForm):
    """A file added here gets the same check as on the staff pages (``grappe.core.uploads``); fields: the admin's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from grappe.partnerships.services import DOCUMENT_MAX_BYTES

        super().__init__(*args, **kwargs)
        self.fields["file"].validators.append(DocumentValidator(max_bytes=DOCUMENT_MAX_BYTES))


class DocumentInline(admin.TabularInline):
    model = CollaborationDocument
    form = DocumentAdminForm
    extra = 0


@admin.register(Collaboration)
class CollaborationAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "status", "start_date", "end_date", "is_internal")
    list_filter = ("kind", "status", "cluster_role", "is_internal")
    search_fields = ("title",)
    inlines = [PartnerInline, DocumentInline]


@admin.register(Introduction)
class IntroductionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "introduced_on", "owner", "follow_up_on", "status", "outcome")
    list_filter = ("status", "outcome", "channel")
    raw_id_fields = ("organisation_a", "organisation_b", "person_a", "person_b", "collaboration", "request")


@admin.register(IntroductionRequest)
class IntroductionRequestAdmin(admin.ModelAdmin):
    list_display = ("__str__", "status", "owner", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("organisation", "person")


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "date", "owner", "next_action_due", "is_internal")
    list_filter = ("kind", "is_internal")
    raw_id_fields = ("organisation", "person")


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("introduction", "interaction", "due_on", "recipient", "sent_at")
