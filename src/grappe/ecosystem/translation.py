"""Content fields translated per language (fr source, then en, nl, de) with django-modeltranslation."""

from modeltranslation.translator import TranslationOptions, register

from grappe.ecosystem.models import Competence, Organisation, Segment, Topic, ValueChain


@register(Organisation)
class OrganisationTranslation(TranslationOptions):
    fields = ("description",)


@register(ValueChain)
class ValueChainTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Segment)
class SegmentTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Competence)
class CompetenceTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Topic)
class TopicTranslation(TranslationOptions):
    fields = ("name", "description")
