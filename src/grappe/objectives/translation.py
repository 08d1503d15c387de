"""Translated content fields of the contract (fr source, then en, nl, de) with django-modeltranslation."""

from modeltranslation.translator import TranslationOptions, register

from grappe.objectives.models import Indicator, Objective


@register(Objective)
class ObjectiveTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Indicator)
class IndicatorTranslation(TranslationOptions):
    fields = ("label", "definition")
