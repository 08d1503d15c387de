"""Writes of the events app: events, registrations with waitlist, attendance and surveys.

Each use case is one transaction and writes one audit entry; e-mails are enqueued as tasks once
the transaction commits. Registrations never overbook: the event row is locked while seats are
counted (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite every transaction starts with
``BEGIN IMMEDIATE`` — see settings — which serialises writers for the same effect).

B2B matchmaking writes live in ``grappe.events.matchmaking``.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from grappe.core.audit import audit_log, diff, snapshot
from grappe.core.text import fold
from grappe.ecosystem import selectors as eco_selectors
from grappe.ecosystem import services as eco_services
from grappe.ecosystem.models import Affiliation, Consent, Membership, Organisation, Person
from grappe.ecosystem.numbers import normalise_enterprise_number
from grappe.events.models import Event, Notification, Registration, SurveyResponse

SIGNING_SALT = "grappe.events.registration"
# Changing one of these fields changes what attendees have in their calendars: bump SEQUENCE.
CALENDAR_FIELDS = {"title", "start", "end", "venue_name", "venue_address", "venue_postal_code", "online_url", "status"}
CALENDAR_FIELDS |= {f"title_{code}" for code in ("fr", "en", "nl", "de")}


_SILENT: ContextVar[bool] = ContextVar("grappe_events_silent", default=False)


@contextmanager
def messages_suppressed() -> Iterator[None]:
    """No e-mail is enqueued inside this block (demo data, bulk back-office corrections)."""
    token = _SILENT.set(True)
    try:
        yield
    finally:
        _SILENT.reset(token)


def _enqueue_message(registration: Registration, kind: str) -> None:
    """Send a message about ``registration`` once the current transaction has committed."""
    from grappe.events.tasks import send_registration_message

    if _SILENT.get():
        return
    registration_id = registration.pk
    transaction.on_commit(lambda: send_registration_message.enqueue(registration_id, kind))


# --- events ---------------------------------------------------------------------------------------


def _unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(fold(title))[:100] or "evenement"
    slug, n = base, 2
    while Event.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def event_create(*, actor: Any, title: str, start: dt.datetime, end: dt.datetime, **fields: Any) -> Event:
    """Create an event (a draft unless ``status`` says otherwise). ``co_organisers``: organisations or ids."""
    co_organisers = fields.pop("co_organisers", None)
    event = Event(title=title, start=start, end=end, **fields)
    if not event.slug:
        event.slug = _unique_slug(title)
    if getattr(actor, "is_authenticated", False):
        event.created_by = actor
    event.full_clean()
    event.save()
    if co_organisers is not None:
        event.co_organisers.set(co_organisers)
    audit_log(actor=actor, action="events.event.created", obj=event, changes=diff({}, snapshot(event)))
    return event


@transaction.atomic
def event_update(*, actor: Any, event: Event, **fields: Any) -> Event:
    """Change an event; a change attendees see in their calendar bumps its SEQUENCE.

    Raising the capacity promotes people from the waitlist into the new seats.
    """
    event = Event.objects.select_for_update().get(pk=event.pk)
    before = snapshot(event)
    co_organisers = fields.pop("co_organisers", None)
    for key, value in fields.items():
        setattr(event, key, value)
    event.full_clean()
    changes = diff(before, snapshot(event, m2m=False))
    if CALENDAR_FIELDS & {key.removesuffix("_id") for key in changes}:
        event.sequence += 1
    event.save()
    if co_organisers is not None:
        event.co_organisers.set(co_organisers)
    changes = diff(before, snapshot(event))
    changes.pop("sequence", None)
    if changes:
        audit_log(actor=actor, action="events.event.updated", obj=event, changes=changes)
    if "capacity" in changes:
        _fill_free_seats(actor=actor, event=event)
    return event


@transaction.atomic
def event_publish(*, actor: Any, event: Event) -> Event:
    if event.status == Event.Status.CANCELLED:
        raise ValidationError({"status": _("Un événement annulé ne peut pas être publié.")})
    return event_update(actor=actor, event=event, status=Event.Status.PUBLISHED)


@transaction.atomic
def event_cancel(*, actor: Any, event: Event) -> Event:
    """Cancel the event: every active registration is told, with a calendar cancellation."""
    event = event_update(actor=actor, event=event, status=Event.Status.CANCELLED)
    for registration in event.registrations.filter(status__in=Registration.ACTIVE_STATUSES):
        _enqueue_message(registration, Notification.Kind.CANCELLATION)
    return event


# --- looking people and organisations up --------------------------------------------------------


def organisation_find(*, enterprise_number: str = "", name: str = "") -> Organisation | None:
    """The ecosystem organisation with this enterprise number, else with exactly this name (accent-insensitive)."""
    if enterprise_number:
        number = normalise_enterprise_number(enterprise_number)
        found = Organisation.objects.filter(enterprise_number=number).first()
        if found:
            return found
    folded = fold(name)
    if folded:
        for organisation in Organisation.objects.filter(search_text__contains=folded).only("pk", "name", "acronym"):
            if folded in (fold(organisation.name), fold(organisation.acronym)):
                return organisation
    return None


def organisation_find_or_create_prospect(*, actor: Any, enterprise_number: str = "", name: str = "") -> Organisation:
    """Look the organisation up in the ecosystem, or create it with a ``prospect`` membership."""
    if enterprise_number:
        try:
            enterprise_number = normalise_enterprise_number(enterprise_number)
        except ValidationError as exc:
            raise ValidationError({"enterprise_number": exc.messages}) from exc
    found = organisation_find(enterprise_number=enterprise_number, name=name)
    if found:
        return found
    if not name.strip():
        raise ValidationError({"organisation_name": _("Indiquez le nom de votre organisation.")})
    organisation = eco_services.organisation_create(
        actor=actor, name=name.strip(), enterprise_number=enterprise_number or None
    )
    eco_services.membership_create(
        actor=actor,
        organisation=organisation,
        start_date=timezone.localdate(),
        status=Membership.Status.PROSPECT,
        notes=_("Créée lors d'une inscription à un événement."),
    )
    return organisation


def person_find_or_create(
    *, actor: Any, first_name: str, last_name: str, email: str, organisation: Organisation | None
) -> Person:
    """The person with this e-mail (personal or professional), else a new one; affiliated to ``organisation``."""
    email = (email or "").strip().lower()
    person = Person.objects.filter(email=email, erased_at__isnull=True).first() if email else None
    if person is None and email:
        affiliation = (
            Affiliation.objects.filter(email=email, person__erased_at__isnull=True).select_related("person").first()
        )
        person = affiliation.person if affiliation else None
    if person is None:
        person = eco_services.person_create(actor=actor, first_name=first_name, last_name=last_name, email=email)
    if organisation is not None and not person.affiliations.filter(organisation=organisation, end_date=None).exists():
        eco_services.affiliation_create(actor=actor, person=person, organisation=organisation, email=email)
    return person


# --- registrations ------------------------------------------------------------------------------


def clean_answers(event: Event, answers: dict[str, Any] | None) -> dict[str, Any]:
    """Answers to the event's custom questions, checked: required ones given, choices among the choices."""
    answers = answers or {}
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in event.questions or []:
        key, kind = question["key"], question.get("type", "text")
        value = answers.get(key)
        if kind == "bool":
            value = value in (True, "on", "true", "1", 1)
        else:
            value = str(value or "").strip()[:1000]
            if kind == "choice" and value and value not in question["choices"]:
                errors[f"q_{key}"] = _("Choix inconnu pour « %(label)s ».") % {"label": question["label"]}
        if question.get("required") and not value:
            errors[f"q_{key}"] = _("Répondez à « %(label)s ».") % {"label": question["label"]}
        cleaned[key] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_open(event: Event, now: dt.datetime) -> None:
    if event.status != Event.Status.PUBLISHED:
        raise ValidationError(_("Les inscriptions à cet événement ne sont pas ouvertes."))
    if event.end <= now or (event.registration_deadline and event.registration_deadline < now):
        raise ValidationError(_("Les inscriptions à cet événement sont closes."))


def _is_member(organisation: Organisation | None, event: Event) -> bool:
    return bool(organisation and eco_selectors.is_member_on(organisation, timezone.localdate(event.start)))


def registration_create(
    *,
    actor: Any,
    event: Event,
    person: Person,
    organisation: Organisation | None = None,
    email: str = "",
    answers: dict[str, Any] | None = None,
    consent: bool,
    by_staff: bool = False,
    now: dt.datetime | None = None,
) -> Registration:
    """Register ``person``: a confirmed seat while there is one, else the end of the waitlist.

    ``by_staff`` lets the team register someone to an invitation-only or closed event.
    """
    now = now or timezone.now()
    if not consent:
        raise ValidationError({"consent": _("Votre accord sur le traitement de vos données est nécessaire.")})
    answers = clean_answers(event, answers)
    with transaction.atomic():
        # The lock makes concurrent registrations count seats one after the other.
        event = Event.objects.select_for_update().get(pk=event.pk)
        if not by_staff:
            _check_open(event, now)
            if event.audience == Event.Audience.INVITATION:
                raise ValidationError(_("Cet événement est sur invitation : contactez l'équipe du cluster."))
        is_member = _is_member(organisation, event)
        if event.audience == Event.Audience.MEMBERS_ONLY and not is_member and not by_staff:
            raise ValidationError({"organisation_name": _("Cet événement est réservé aux membres du cluster.")})
        if Registration.objects.filter(event=event, person=person, status__in=Registration.ACTIVE_STATUSES).exists():
            raise ValidationError(_("Vous êtes déjà inscrit·e à cet événement."))
        confirmed = Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED).count()
        registration = Registration(
            event=event,
            person=person,
            organisation=organisation,
            email=(email or person.email).strip().lower(),
            answers=answers,
            consent_given_at=now,
            is_member=is_member,
            price=0 if is_member else event.price_non_member,
        )
        if event.capacity is None or confirmed < event.capacity:
            registration.status = Registration.Status.CONFIRMED
        else:
            last = Registration.objects.filter(event=event, status=Registration.Status.WAITLISTED).aggregate(
                m=Max("waitlist_position")
            )["m"]
            registration.status = Registration.Status.WAITLISTED
            registration.waitlist_position = (last or 0) + 1
        registration.full_clean(exclude=["email"] if not registration.email else None)
        try:
            registration.save()
        except IntegrityError as exc:  # the partial unique index caught a double submit
            raise ValidationError(_("Vous êtes déjà inscrit·e à cet événement.")) from exc
        if not person.consents.filter(purpose=Consent.Purpose.EVENTS, withdrawn_at=None).exists():
            eco_services.consent_record(
                actor=actor, person=person, purpose=Consent.Purpose.EVENTS, source=Consent.Source.EVENT, given_at=now
            )
        audit_log(
            actor=actor,
            action="events.registration.created",
            obj=registration,
            changes=diff({}, snapshot(registration)),
            organisation_id=organisation.pk if organisation else None,
        )
        kind = (
            Notification.Kind.CONFIRMATION
            if registration.status == Registration.Status.CONFIRMED
            else Notification.Kind.WAITLISTED
        )
        _enqueue_message(registration, kind)
    return registration


def registration_public(
    *,
    event: Event,
    first_name: str,
    last_name: str,
    email: str,
    organisation_name: str = "",
    enterprise_number: str = "",
    answers: dict[str, Any] | None = None,
    consent: bool,
    actor: Any = None,
) -> Registration:
    """A registration from the public form: the organisation and person are looked up or created."""
    if not (first_name.strip() and last_name.strip()):
        raise ValidationError({"last_name": _("Indiquez votre prénom et votre nom.")})
    if not email.strip():
        raise ValidationError({"email": _("Indiquez votre adresse e-mail.")})
    if not consent:
        raise ValidationError({"consent": _("Votre accord sur le traitement de vos données est nécessaire.")})
    clean_answers(event, answers)  # fail before creating anybody
    _check_open(event, timezone.now())
    with transaction.atomic():
        organisation = None
        if organisation_name.strip() or enterprise_number.strip():
            organisation = organisation_find_or_create_prospect(
                actor=actor, enterprise_number=enterprise_number, name=organisation_name
            )
        person = person_find_or_create(
            actor=actor, first_name=first_name, last_name=last_name, email=email, organisation=organisation
        )
        return registration_create(
            actor=actor,
            event=event,
            person=person,
            organisation=organisation,
            email=email,
            answers=answers,
            consent=consent,
        )


def _promote_next(*, actor: Any, event: Event) -> Registration | None:
    nxt = (
        Registration.objects.select_for_update()
        .filter(event=event, status=Registration.Status.WAITLISTED)
        .order_by("waitlist_position", "created_at")
        .first()
    )
    if nxt is None:
        return None
    nxt.status = Registration.Status.CONFIRMED
    nxt.waitlist_position = None
    nxt.sequence += 1
    nxt.save(update_fields=["status", "waitlist_position", "sequence", "updated_at"])
    audit_log(
        actor=actor,
        action="events.registration.promoted",
        obj=nxt,
        changes={"status": [Registration.Status.WAITLISTED, Registration.Status.CONFIRMED]},
        organisation_id=nxt.organisation_id,
    )
    _enqueue_message(nxt, Notification.Kind.PROMOTED)
    return nxt


def _fill_free_seats(*, actor: Any, event: Event) -> list[Registration]:
    """Promote from the waitlist while seats are free (the caller holds the event lock)."""
    promoted: list[Registration] = []
    while True:
        confirmed = event.registrations.filter(status=Registration.Status.CONFIRMED).count()
        if event.capacity is not None and confirmed >= event.capacity:
            return promoted
        nxt = _promote_next(actor=actor, event=event)
        if nxt is None:
            return promoted
        promoted.append(nxt)


def registration_cancel(*, actor: Any, registration: Registration) -> Registration | None:
    """Cancel a registration; a freed seat goes to the first person on the waitlist, who is returned."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == Registration.Status.CANCELLED:
            return None
        was = registration.status
        registration.status = Registration.Status.CANCELLED
        registration.waitlist_position = None
        registration.cancelled_at = timezone.now()
        registration.sequence += 1
        registration.save()
        audit_log(
            actor=actor,
            action="events.registration.cancelled",
            obj=registration,
            changes={"status": [was, Registration.Status.CANCELLED]},
            organisation_id=registration.organisation_id,
        )
        _enqueue_message(registration, Notification.Kind.CANCELLATION)
        for participant in registration.participants.all():
            from grappe.events.matchmaking import participant_withdraw

            participant_withdraw(actor=actor, participant=participant)
        promoted = None
        if was == Registration.Status.CONFIRMED and event.end > timezone.now():
            promoted = _fill_free_seats(actor=actor, event=event)
            promoted = promoted[0] if promoted else None
        return promoted


@transaction.atomic
def registration_update(
    *, actor: Any, registration: Registration, answers: dict[str, Any] | None = None, email: str | None = None
) -> Registration:
    """Edit a registration's answers or e-mail (self-service through the signed link, or staff)."""
    before = snapshot(registration)
    if answers is not None:
        registration.answers = clean_answers(registration.event, answers)
    if email is not None:
        registration.email = email.strip().lower()
    registration.full_clean()
    registration.save()
    changes = diff(before, snapshot(registration))
    if changes:
        audit_log(
            actor=actor,
            action="events.registration.updated",
            obj=registration,
            changes=changes,
            organisation_id=registration.organisation_id,
        )
    return registration


def registration_waitlist_rank(registration: Registration) -> int | None:
    """1 for the first person on the waitlist (positions keep gaps after cancellations; ranks do not)."""
    if registration.status != Registration.Status.WAITLISTED:
        return None
    return (
        Registration.objects.filter(
            event_id=registration.event_id,
            status=Registration.Status.WAITLISTED,
            waitlist_position__lt=registration.waitlist_position,
        ).count()
        + 1
    )


def registration_signed_token(registration: Registration) -> str:
    """The token of the self-service link; it dies when the registration's secret is renewed."""
    return signing.dumps([registration.pk, registration.token], salt=SIGNING_SALT, compress=True)


def registration_from_signed_token(value: str) -> Registration | None:
    try:
        pk, token = signing.loads(value, salt=SIGNING_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return Registration.objects.select_related("event", "person", "organisation").filter(pk=pk, token=token).first()


# --- on the day and after -----------------------------------------------------------------------


@transaction.atomic
def registration_check_in(*, actor: Any, registration: Registration, attended: bool = True) -> Registration:
    """Record presence (one tap at the door) or undo it."""
    if registration.status != Registration.Status.CONFIRMED:
        raise ValidationError(_("Seules les inscriptions confirmées peuvent être pointées."))
    was = registration.attendance
    registration.attendance = Registration.Attendance.ATTENDED if attended else Registration.Attendance.UNKNOWN
    registration.checked_in_at = timezone.now() if attended else None
    registration.save(update_fields=["attendance", "checked_in_at", "updated_at"])
    if was != registration.attendance:
        audit_log(
            actor=actor,
            action="events.registration.checked_in" if attended else "events.registration.check_in_undone",
            obj=registration,
            changes={"attendance": [was, registration.attendance]},
            organisation_id=registration.organisation_id,
        )
    return registration


@transaction.atomic
def event_record_no_shows(*, actor: Any, event: Event) -> int:
    """After the event, confirmed people who were not checked in are recorded as no-shows."""
    if event.start > timezone.now():
        raise ValidationError(_("L'événement n'a pas encore commencé."))
    pending = event.registrations.filter(
        status=Registration.Status.CONFIRMED, attendance=Registration.Attendance.UNKNOWN
    )
    count = pending.update(attendance=Registration.Attendance.NO_SHOW, updated_at=timezone.now())
    audit_log(actor=actor, action="events.event.no_shows_recorded", obj=event, changes={"no_shows": [None, count]})
    return count


@transaction.atomic
def survey_submit(*, registration: Registration, score: int, comment: str = "", actor: Any = None) -> SurveyResponse:
    """Record (or replace) the satisfaction of a participant who attended."""
    if registration.status != Registration.Status.CONFIRMED or registration.event.end > timezone.now():
        raise ValidationError(_("L'enquête s'ouvre après l'événement, pour les participants."))
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError({"score": _("Choisissez une note de 1 à 5.")})
    response, created = SurveyResponse.objects.update_or_create(
        registration=registration, defaults={"score": score, "comment": (comment or "").strip()[:4000]}
    )
    audit_log(
        actor=actor,
        action="events.survey.answered" if created else "events.survey.updated",
        obj=response,
        changes={"score": [None, score]},
        organisation_id=registration.organisation_id,
    )
    return response


def notification_claim(registration: Registration, kind: str) -> bool:
    """Record that ``kind`` is being sent; ``False`` when a once-only message was already sent."""
    if kind in Notification.ONCE:
        try:
            with transaction.atomic():
                Notification.objects.create(registration=registration, kind=kind)
        except IntegrityError:
            return False
        return True
    Notification.objects.create(registration=registration, kind=kind)
    return True
