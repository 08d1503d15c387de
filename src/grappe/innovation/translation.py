"""Content fields translated per language (fr source, then en, nl, de) with django-modeltranslation."""

from modeltranslation.translator import TranslationOptions, register

from grappe.innovation.models import FundingCall, InnovationProject, Outcome


@register(InnovationProject)
class InnovationProjectTranslation(TranslationOptions):
    fields = ("title", "summary")


@register(FundingCall)
class FundingCallTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Outcome)
class OutcomeTranslation(TranslationOptions):
    fields = ("title", "description")
