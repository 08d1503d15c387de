"""Organiser views of B2B matchmaking: configure, impose, run the scheduler, inspect, move, lock, publish, record."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grappe.accounts import permissions
from grappe.events import matchmaking, selectors
from grappe.events.forms import SessionForm
from grappe.events.models import Event, MatchmakingSession, Meeting, Participant, ParticipantType, Registration, Slot
from grappe.events.views.staff import _add_errors


def _error(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


@permissions.events_staff_required
def session_setup(request: HttpRequest, pk: int) -> HttpResponse:
    """Create or configure the event's matchmaking session: tables, length, deadline, caps, rules, slots."""
    event = get_object_or_404(Event, pk=pk)
    session = event.matchmaking_sessions.first()
    form = SessionForm(request.POST or None, instance=session, event=event)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in SessionForm.Meta.fields}
        data["name"] = data["name_fr"]
        data["allowed_pairs"] = form.cleaned_data["allowed_pairs_text"]
        try:
            with transaction.atomic():
                if session is None:
                    session = matchmaking.session_create(actor=request.user, event=event, **data)
                else:
                    session = matchmaking.session_update(actor=request.user, session=session, **data)
                if form.cleaned_data["blocks"]:
                    matchmaking.slots_generate(
                        actor=request.user,
                        session=session,
                        blocks=form.cleaned_data["blocks"],
                        break_minutes=form.cleaned_data["break_minutes"] or 0,
                    )
        except ValidationError as exc:
            _add_errors(form, exc)
            session = event.matchmaking_sessions.first()
        else:
            messages.success(request, _("Session enregistrée."))
            return redirect("events:session_detail", session.pk)
    return render(request, "events/session_setup.html", {"event": event, "form": form, "session": session})


@permissions.events_staff_required
def session_detail(request: HttpRequest, session_pk: int) -> HttpResponse:
    session = get_object_or_404(MatchmakingSession.objects.select_related("event"), pk=session_pk)
    participants = session.participants.select_related("person", "organisation").order_by("organisation__name")
    return render(
        request,
        "events/session_detail.html",
        {
            "session": session,
            "event": session.event,
            "participants": participants,
            "requests": session.requests.select_related(
                "requester__person", "target__person", "requester__organisation", "target__organisation"
            ).order_by("status", "-weight")[:500],
            "grid": selectors.schedule_grid(session),
            "slots": session.slots.filter(is_break=False),
            "types": ParticipantType.choices,
            "unregistered": Registration.objects.filter(event=session.event, status=Registration.Status.CONFIRMED)
            .exclude(person__matchmaking_profiles__session=session)
            .count(),
        },
    )


@permissions.events_staff_required
def session_agendas(request: HttpRequest, session_pk: int) -> HttpResponse:
    """Every participant's agenda on one page, with their idle gaps (for checking before publishing)."""
    session = get_object_or_404(MatchmakingSession.objects.select_related("event"), pk=session_pk)
    gaps = selectors.idle_gaps(session)
    agendas = [
        (p, list(selectors.participant_agenda(p)), gaps.get(p, 0))
        for p in session.participants.select_related("person", "organisation").order_by("person__last_name")
    ]
    return render(request, "events/session_agendas.html", {"session": session, "agendas": agendas})


@require_POST
@permissions.events_staff_required
def session_add_registered(request: HttpRequest, session_pk: int) -> HttpResponse:
    """Give every confirmed registrant of the event a participant profile (pre-filled from the ecosystem)."""
    session = get_object_or_404(MatchmakingSession, pk=session_pk)
    added = 0
    with transaction.atomic():
        for registration in (
            Registration.objects.filter(event=session.event, status=Registration.Status.CONFIRMED)
            .exclude(person__matchmaking_profiles__session=session)
            .select_related("person", "organisation")
        ):
            matchmaking.participant_join(
                actor=request.user,
                session=session,
                person=registration.person,
                organisation=registration.organisation,
                registration=registration,
                type=request.POST.get("type") or ParticipantType.OTHER,
            )
            added += 1
    messages.success(request, _("%(n)s participant(s) ajouté(s).") % {"n": added})
    return redirect("events:session_detail", session.pk)


@require_POST
@permissions.events_staff_required
def session_run(request: HttpRequest, session_pk: int) -> HttpResponse:
    session = get_object_or_404(MatchmakingSession, pk=session_pk)
    matchmaking.schedule_enqueue(session=session, replan=request.POST.get("replan") == "1")
    messages.info(request, _("Le planificateur tourne en arrière-plan : rechargez la page dans un instant."))
    return redirect("events:session_detail", session.pk)


@require_POST
@permissions.events_staff_required
def session_publish(request: HttpRequest, session_pk: int) -> HttpResponse:
    session = get_object_or_404(MatchmakingSession, pk=session_pk)
    count = matchmaking.session_publish(actor=request.user, session=session)
    messages.success(request, _("Planning publié : %(n)s rendez-vous envoyés aux participants.") % {"n": count})
    return redirect("events:session_detail", session.pk)


@require_POST
@permissions.events_staff_required
def meeting_impose(request: HttpRequest, session_pk: int) -> HttpResponse:
    session = get_object_or_404(MatchmakingSession, pk=session_pk)
    a = session.participants.filter(pk=request.POST.get("a")).first()
    b = session.participants.filter(pk=request.POST.get("b")).first()
    if a is None or b is None:
        messages.error(request, _("Choisissez deux participants de la session."))
        return redirect("events:session_detail", session.pk)
    slot = session.slots.filter(pk=request.POST.get("slot") or None).first()
    try:
        table = int(request.POST["table"]) if request.POST.get("table") else None
        matchmaking.meeting_impose(
            actor=request.user, a=a, b=b, weight=int(request.POST.get("weight") or 3), slot=slot, table=table
        )
    except ValueError:
        messages.error(request, _("La table et la priorité sont des nombres."))
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Rendez-vous imposé : %(a)s × %(b)s.") % {"a": a, "b": b})
    return redirect("events:session_detail", session.pk)


def _meeting(pk: int) -> Meeting | None:
    return (
        Meeting.objects.select_related("session", "participant_a__person", "participant_b__person", "slot")
        .filter(pk=pk)
        .first()
    )


def _meeting_or_404(pk: int) -> Meeting:
    meeting = _meeting(pk)
    if meeting is None:
        raise Http404
    return meeting


@require_POST
@permissions.events_staff_required
def meeting_move(request: HttpRequest, session_pk: int) -> HttpResponse:
    try:
        meeting = _meeting(int(request.POST.get("meeting") or 0))
    except ValueError:
        meeting = None
    if meeting is None or meeting.session_id != session_pk:
        messages.error(request, _("Choisissez un rendez-vous de la session."))
        return redirect("events:session_detail", session_pk)
    slot = Slot.objects.filter(pk=request.POST.get("slot") or None, session=meeting.session).first()
    try:
        table = int(request.POST.get("table") or 0)
    except ValueError:
        table = 0
    if slot is None:
        messages.error(request, _("Choisissez un créneau de la session."))
    else:
        try:
            matchmaking.meeting_move(actor=request.user, meeting=meeting, slot=slot, table=table)
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("Rendez-vous déplacé et verrouillé."))
    return redirect("events:session_detail", meeting.session_id)


@require_POST
@permissions.events_staff_required
def meeting_lock(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    meeting = _meeting_or_404(meeting_pk)
    try:
        matchmaking.meeting_lock(actor=request.user, meeting=meeting, locked=request.POST.get("locked") == "1")
    except ValidationError as exc:
        _error(request, exc)
    return redirect("events:session_detail", meeting.session_id)


@require_POST
@permissions.events_staff_required
def meeting_outcome(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    meeting = _meeting_or_404(meeting_pk)
    try:
        matchmaking.meeting_record_outcome(
            actor=request.user,
            meeting=meeting,
            held=request.POST.get("held") == "1",
            follow_up_wanted=request.POST.get("follow_up") == "1",
            notes=request.POST.get("notes", ""),
        )
    except ValidationError as exc:
        _error(request, exc)
    return redirect("events:session_agendas", meeting.session_id)


@require_POST
@permissions.events_staff_required
def participant_no_show(request: HttpRequest, participant_pk: int) -> HttpResponse:
    participant = get_object_or_404(Participant, pk=participant_pk)
    count = matchmaking.participant_no_show(actor=request.user, participant=participant)
    messages.success(
        request,
        _("%(who)s absent : %(n)s rendez-vous annulé(s), le reste est re-planifié sans bouger les rendez-vous placés.")
        % {"who": participant, "n": count},
    )
    return redirect("events:session_detail", participant.session_id)
