"""Public pages: an event and its registration form, self-service through signed links, calendar feeds."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grappe.accounts import permissions
from grappe.events import calendars, selectors, services
from grappe.events.forms import RegistrationEditForm, RegistrationForm, SurveyForm
from grappe.events.models import CalendarFeed, Event, Registration
from grappe.events.views.staff import _add_errors


def _visible_event(request: HttpRequest, slug: str) -> Event:
    event = get_object_or_404(Event.objects.select_related("venue_postal_code"), slug=slug)
    if not permissions.can_view_event(request.user, event):
        raise Http404
    return event


def _initial_for(user) -> dict[str, str]:
    """Pre-fill the form for a logged-in member: their name, e-mail and organisation."""
    if not permissions.is_member_user(user) or not user.person_id:
        return {}
    person = user.person
    initial = {"first_name": person.first_name, "last_name": person.last_name, "email": person.email or user.email}
    affiliation = next((a for a in person.affiliations.select_related("organisation") if a.is_current), None)
    if affiliation:
        initial["organisation_name"] = affiliation.organisation.name
        initial["enterprise_number"] = affiliation.organisation.enterprise_number_display
    return initial


def _calendar_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def event_public(request: HttpRequest, slug: str) -> HttpResponse:
    event = _visible_event(request, slug)
    form = RegistrationForm(request.POST or None, event=event, initial=_initial_for(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = services.registration_public(
                actor=request.user,
                event=event,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                organisation_name=data["organisation_name"],
                enterprise_number=data["enterprise_number"],
                answers=form.answers(),
                consent=data["consent"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if registration.status == Registration.Status.CONFIRMED:
                messages.success(request, _("Votre inscription est confirmée. Un e-mail de confirmation suit."))
            else:
                messages.warning(request, _("L'événement est complet : vous êtes en liste d'attente."))
            return redirect("events:registration_manage", services.registration_signed_token(registration))
    open_ = (
        event.status == Event.Status.PUBLISHED
        and event.end > timezone.now()
        and (not event.registration_deadline or event.registration_deadline >= timezone.now())
    )
    return render(
        request,
        "events/event_public.html",
        {
            "event": event,
            "form": form,
            "registration_open": open_ and event.audience != Event.Audience.INVITATION,
            "seats_left": selectors.seats_left(event),
            "co_organisers": event.co_organisers.all(),
        },
    )


def event_ics(request: HttpRequest, slug: str) -> HttpResponse:
    event = _visible_event(request, slug)
    return _calendar_response(calendars.event_ics(event), f"{event.slug}.ics")


def public_feed(request: HttpRequest) -> HttpResponse:
    return _calendar_response(calendars.public_feed(selectors.feed_events()), "events.ics")


def person_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = CalendarFeed.objects.select_related("person").filter(token=token).first()
    if feed is None or feed.person.erased_at:
        raise Http404
    content = calendars.person_feed(
        name=_("Mes événements — %(cluster)s") % {"cluster": calendars.settings.GRAPPE_CLUSTER_NAME},
        registrations=selectors.person_registrations(feed.person_id),
        meetings=selectors.person_meetings(feed.person_id),
    )
    return _calendar_response(content, "grappe.ics")


def _registration_or_404(token: str) -> Registration:
    registration = services.registration_from_signed_token(token)
    if registration is None:
        raise Http404
    return registration


def registration_manage(request: HttpRequest, token: str) -> HttpResponse:
    """Self-service page of a registration: status, waitlist rank, edit answers, cancel."""
    registration = _registration_or_404(token)
    active = registration.status != Registration.Status.CANCELLED and registration.event.end > timezone.now()
    form = RegistrationEditForm(request.POST or None, registration=registration)
    if request.method == "POST" and active and form.is_valid():
        try:
            services.registration_update(
                actor=None, registration=registration, answers=form.answers(), email=form.cleaned_data["email"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Vos réponses sont enregistrées."))
            return redirect("events:registration_manage", token)
    return render(
        request,
        "events/registration_manage.html",
        {
            "registration": registration,
            "event": registration.event,
            "rank": services.registration_waitlist_rank(registration),
            "form": form,
            "active": active,
            "token": token,
        },
    )


@require_POST
def registration_cancel_self(request: HttpRequest, token: str) -> HttpResponse:
    registration = _registration_or_404(token)
    if registration.status != Registration.Status.CANCELLED:
        services.registration_cancel(actor=None, registration=registration)
        messages.success(request, _("Votre inscription est annulée. Merci de nous avoir prévenus."))
    return redirect("events:registration_manage", token)


def survey(request: HttpRequest, token: str) -> HttpResponse:
    registration = _registration_or_404(token)
    existing = getattr(registration, "survey_response", None)
    form = SurveyForm(
        request.POST or None, initial={"score": existing.score, "comment": existing.comment} if existing else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_submit(
                registration=registration, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Merci pour votre avis !"))
            return redirect("events:survey", token)
    return render(
        request, "events/survey.html", {"registration": registration, "event": registration.event, "form": form}
    )
