"""E-mails about registrations and B2B agendas, in the person's language, with .ics attachments."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from grappe.events import calendars
from grappe.events.models import Meeting, Notification, Participant, Registration

# Messages that carry the event's .ics (cancellations carry a METHOD:CANCEL one).
WITH_ICS = {
    Notification.Kind.CONFIRMATION,
    Notification.Kind.PROMOTED,
    Notification.Kind.CANCELLATION,
    Notification.Kind.REMINDER_7,
    Notification.Kind.REMINDER_1,
}


def _language(person) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    for language in getattr(person, "languages", None) or []:
        if language in codes:
            return language
    user = getattr(person, "user", None)
    return getattr(user, "language", None) or settings.LANGUAGE_CODE


def _subject(kind: str, title: str) -> str:
    subjects = {
        Notification.Kind.CONFIRMATION: _("Inscription confirmée : %(title)s"),
        Notification.Kind.WAITLISTED: _("Liste d'attente : %(title)s"),
        Notification.Kind.PROMOTED: _("Une place s'est libérée : %(title)s"),
        Notification.Kind.CANCELLATION: _("Annulation : %(title)s"),
        Notification.Kind.REMINDER_7: _("Dans une semaine : %(title)s"),
        Notification.Kind.REMINDER_1: _("Demain : %(title)s"),
        Notification.Kind.SURVEY: _("Votre avis sur « %(title)s »"),
        Notification.Kind.AGENDA: _("Votre agenda de rendez-vous B2B : %(title)s"),
    }
    return subjects[kind] % {"title": title}


def registration_message(registration: Registration, kind: str) -> EmailMessage:
    """The e-mail of ``kind`` about ``registration``, rendered in the person's language."""
    from grappe.events.services import registration_signed_token, registration_waitlist_rank

    event = registration.event
    with translation.override(_language(registration.person)):
        token = registration_signed_token(registration)
        context = {
            "kind": kind,
            "registration": registration,
            "event": event,
            "rank": registration_waitlist_rank(registration),
            "manage_url": calendars.absolute(reverse("events:registration_manage", args=[token])),
            "survey_url": calendars.absolute(reverse("events:survey", args=[token])),
            "event_url": calendars.absolute(reverse("events:event_public", args=[event.slug])),
            "cluster_name": settings.GRAPPE_CLUSTER_NAME,
        }
        message = EmailMessage(
            subject=_subject(kind, event.title),
            body=render_to_string("events/email/registration.txt", context),
            to=[registration.email],
        )
        if kind in WITH_ICS:
            message.attach(f"{event.slug}.ics", calendars.event_ics(event, registration=registration), "text/calendar")
    return message


def agenda_message(participant: Participant, meetings: list[Meeting]) -> EmailMessage:
    """A participant's B2B agenda, with every meeting as an .ics entry."""
    event = participant.session.event
    email = (participant.registration.email if participant.registration_id else "") or participant.person.email
    with translation.override(_language(participant.person)):
        context = {
            "participant": participant,
            "event": event,
            "meetings": [(m, m.other(participant)) for m in meetings],
            "agenda_url": calendars.absolute(reverse("events:portal_agenda", args=[participant.session_id])),
            "cluster_name": settings.GRAPPE_CLUSTER_NAME,
        }
        message = EmailMessage(
            subject=_subject(Notification.Kind.AGENDA, event.title),
            body=render_to_string("events/email/agenda.txt", context),
            to=[email],
        )
        ics = calendars.agenda_ics(name=str(event), meetings=[(m, participant.pk) for m in meetings])
        message.attach("agenda.ics", ics, "text/calendar")
    return message
