"""Back-office of the innovation app (admins); the staff workspace is the usual place to work."""

from django.contrib import admin

from grappe.innovation.models import (
    FundingCall,
    GateChecklistItem,
    InnovationProject,
    Outcome,
    ProjectPartner,
    StageChange,
    StoryDraft,
    SupportAction,
)


class PartnerInline(admin.TabularInline):
    model = ProjectPartner
    extra = 0
    raw_id_fields = ("organisation",)


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    readonly_fields = ("from_stage", "to_stage", "at", "by", "reason")
    can_delete = False


class ChecklistInline(admin.TabularInline):
    model = GateChecklistItem
    extra = 0


@admin.register(InnovationProject)
class InnovationProjectAdmin(admin.ModelAdmin):
    list_display = ("title", "lead_organisation", "stage", "owner", "confidentiality", "created_at")
    list_filter = ("stage", "confidentiality")
    search_fields = ("title", "lead_organisation__name")
    raw_id_fields = ("lead_organisation", "funding_call")
    inlines = [PartnerInline, ChecklistInline, StageChangeInline]


@admin.register(FundingCall)
class FundingCallAdmin(admin.ModelAdmin):
    list_display = ("title", "programme", "funder", "level", "opens_on", "closes_on")
    list_filter = ("level",)
    search_fields = ("title", "programme", "funder")
    raw_id_fields = ("watch_item",)


@admin.register(SupportAction)
class SupportActionAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "hours", "staff", "project", "organisation")
    list_filter = ("kind",)
    raw_id_fields = ("project", "organisation")


admin.site.register(Outcome)
admin.site.register(StoryDraft)
