"""Back-office for the objectives contract (the staff pages are the everyday tool)."""

from django import forms
from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from grappe.core.uploads import DocumentValidator
from grappe.objectives.models import Indicator, Measurement, Objective, ObjectivesContract, ReportArchive, Target


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0
    fields = ("code", "mission", "title", "order")


@admin.register(ObjectivesContract)
class ObjectivesContractAdmin(admin.ModelAdmin):
    list_display = ("title", "start_year", "years", "status")
    list_filter = ("status",)
    inlines = [ObjectiveInline]


@admin.register(Objective)
class ObjectiveAdmin(TranslationAdmin):
    list_display = ("code", "title", "mission", "contract")
    list_filter = ("contract", "mission")


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(TranslationAdmin):
    list_display = ("code", "label", "mission", "kind", "computation_key", "contract")
    list_filter = ("contract", "mission", "kind")
    search_fields = ("code", "label", "computation_key")
    inlines = [TargetInline]


class MeasurementAdminForm(forms.ModelForm):
    class Meta:
        model = Measurement
        fields = ["indicator", "year", "quarter", "value", "evidence_file", "evidence_link", "note"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence_file"].validators.append(DocumentValidator())  # same check as the staff pages


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    form = MeasurementAdminForm
    list_display = ("indicator", "year", "quarter", "value", "entered_by", "entered_at")
    list_filter = ("indicator__contract", "year")
    raw_id_fields = ("indicator",)


@admin.register(ReportArchive)
class ReportArchiveAdmin(admin.ModelAdmin):
    list_display = ("contract", "year", "kind", "language", "snapshot_date", "generated_at", "generated_by")
    list_filter = ("kind", "year")
    readonly_fields = ("numbers", "generated_at")
