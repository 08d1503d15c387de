"""Staff views of events: CRUD, registrations and waitlist, check-in, printable lists, statistics."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grappe.accounts import permissions
from grappe.ecosystem.models import Organisation
from grappe.events import pdf, selectors, services
from grappe.events.forms import EventForm
from grappe.events.models import Event, Registration


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@permissions.events_staff_required
def event_list(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "") for key in ("q", "kind", "status", "when")}
    return render(
        request,
        "events/event_list.html",
        {
            "events": selectors.event_list(filters).select_related("venue_postal_code")[:300],
            "filters": filters,
            "kinds": Event.Kind.choices,
            "statuses": Event.Status.choices,
        },
    )


@permissions.events_staff_required
def event_create(request: HttpRequest) -> HttpResponse:
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(actor=request.user, **form.service_fields())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Événement créé (brouillon)."))
            return redirect("events:event_detail", event.pk)
    return render(request, "events/event_form.html", {"form": form})


@permissions.events_staff_required
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=pk)
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(actor=request.user, event=Event.objects.get(pk=pk), **form.service_fields())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Événement enregistré."))
            return redirect("events:event_detail", pk)
    return render(request, "events/event_form.html", {"form": form, "event": event})


@permissions.events_staff_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.prefetch_related("co_organisers", "matchmaking_sessions"), pk=pk)
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "registrations": selectors.registrations_of(event),
            "seats_left": selectors.seats_left(event),
        },
    )


@require_POST
@permissions.events_staff_required
def event_status(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    event = get_object_or_404(Event, pk=pk)
    try:
        if action == "publish":
            services.event_publish(actor=request.user, event=event)
            messages.success(request, _("Événement publié : les inscriptions sont ouvertes."))
        elif action == "cancel":
            services.event_cancel(actor=request.user, event=event)
            messages.success(request, _("Événement annulé : les inscrits sont prévenus."))
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("events:event_detail", pk)


@require_POST
@permissions.events_staff_required
def registration_cancel(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    registration = get_object_or_404(Registration, pk=registration_pk, event_id=pk)
    promoted = services.registration_cancel(actor=request.user, registration=registration)
    messages.success(request, _("Inscription annulée."))
    if promoted:
        messages.info(request, _("%(who)s passe de la liste d'attente aux inscrits.") % {"who": promoted.person})
    return redirect("events:event_detail", pk)


@permissions.events_staff_required
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """Search and one-tap check-in; htmx replaces only the rows while typing."""
    event = get_object_or_404(Event, pk=pk)
    query = request.GET.get("q", "")
    rows = selectors.check_in_search(event, query)
    context = {"event": event, "rows": rows, "q": query}
    if request.htmx:
        return render(request, "events/_check_in_rows.html", context)
    context["stats"] = selectors.event_statistics(event)
    return render(request, "events/check_in.html", context)


@require_POST
@permissions.events_staff_required
def check_in_toggle(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    registration = get_object_or_404(
        Registration.objects.select_related("person", "organisation", "event"), pk=registration_pk, event_id=pk
    )
    attended = request.POST.get("attended", "1") == "1"
    try:
        services.registration_check_in(actor=request.user, registration=registration, attended=attended)
    except ValidationError as exc:
        if request.htmx:
            return HttpResponse(" ".join(exc.messages), status=400)
        messages.error(request, " ".join(exc.messages))
    if request.htmx:
        return render(request, "events/_check_in_row.html", {"event": registration.event, "r": registration})
    return redirect("events:check_in", pk)


@require_POST
@permissions.events_staff_required
def record_no_shows(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=pk)
    try:
        count = services.event_record_no_shows(actor=request.user, event=event)
        messages.success(request, _("%(n)s absence(s) enregistrée(s).") % {"n": count})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("events:check_in", pk)


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@permissions.events_staff_required
def attendees_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=pk)
    return _pdf_response(pdf.attendee_list(event, selectors.registrations_of(event)["confirmed"]), f"{event.slug}.pdf")


@permissions.events_staff_required
def badges_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=pk)
    return _pdf_response(pdf.badges(event, selectors.registrations_of(event)["confirmed"]), f"badges-{event.slug}.pdf")


@permissions.events_staff_required
def event_statistics(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=pk)
    return render(request, "events/event_statistics.html", {"event": event, "stats": selectors.event_statistics(event)})


def organisation_panel(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    """The events panel of an organisation page (htmx fragment): events attended and B2B meetings."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    organisation = get_object_or_404(Organisation, pk=organisation_pk)
    if not permissions.can_view_organisation(request.user, organisation):
        raise PermissionDenied
    return render(
        request,
        "events/_organisation_panel.html",
        {"organisation": organisation, "history": selectors.organisation_history(organisation.pk)},
    )
