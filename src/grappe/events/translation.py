"""Content fields translated per language (fr source, then en, nl, de) with django-modeltranslation."""

from modeltranslation.translator import TranslationOptions, register

from grappe.events.models import Event, MatchmakingSession


@register(Event)
class EventTranslation(TranslationOptions):
    fields = ("title", "description")


@register(MatchmakingSession)
class MatchmakingSessionTranslation(TranslationOptions):
    fields = ("name",)
