"""Member portal: my registrations and calendar feed; in a B2B session my profile, suggestions, requests, agenda."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grappe.accounts import permissions
from grappe.events import calendars, matchmaking, pdf, recommendations, selectors
from grappe.events.forms import ParticipantForm
from grappe.events.models import MatchmakingSession, MeetingRequest, Participant, Registration
from grappe.events.views.staff import _add_errors, _pdf_response


def _person_id(request: HttpRequest) -> int:
    if not request.user.person_id:
        raise PermissionDenied
    return request.user.person_id


def _session(request: HttpRequest, session_pk: int) -> MatchmakingSession:
    """A session the member may see: one of an event they are confirmed for, or where they have a profile."""
    session = get_object_or_404(MatchmakingSession.objects.select_related("event"), pk=session_pk)
    if not selectors.portal_sessions(_person_id(request)).filter(pk=session.pk).exists():
        raise Http404
    return session


def _participant(request: HttpRequest, session: MatchmakingSession) -> Participant:
    participant = selectors.participant_for(session, request.user.person_id)
    if participant is None:
        raise Http404
    return participant


@permissions.member_required
def my_events(request: HttpRequest) -> HttpResponse:
    person_id = _person_id(request)
    feed = selectors.calendar_feed_for(request.user.person)
    from grappe.events.services import registration_signed_token

    registrations = [(r, registration_signed_token(r)) for r in selectors.person_registrations(person_id)]
    return render(
        request,
        "events/portal_events.html",
        {
            "registrations": registrations,
            "sessions": selectors.portal_sessions(person_id),
            "feed_url": calendars.absolute(reverse("events:person_feed", args=[feed.token])),
            "upcoming": selectors.public_events(upcoming_only=True).filter(status="published")[:10],
        },
    )


@permissions.member_required
def participant_profile(request: HttpRequest, session_pk: int) -> HttpResponse:
    session = _session(request, session_pk)
    participant = selectors.participant_for(session, request.user.person_id)
    form = ParticipantForm(request.POST or None, instance=participant)
    if request.method == "POST" and form.is_valid():
        try:
            if participant is None:
                registration = Registration.objects.filter(
                    event=session.event, person_id=request.user.person_id, status=Registration.Status.CONFIRMED
                ).first()
                if registration is None:
                    raise ValidationError(_("Inscrivez-vous d'abord à l'événement."))
                matchmaking.participant_join(
                    actor=request.user,
                    session=session,
                    person=request.user.person,
                    organisation=registration.organisation,
                    registration=registration,
                    **form.profile(),
                )
            else:
                matchmaking.participant_update(
                    actor=request.user, participant=Participant.objects.get(pk=participant.pk), **form.profile()
                )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Votre profil est enregistré."))
            return redirect("events:portal_recommendations", session.pk)
    return render(request, "events/portal_profile.html", {"session": session, "form": form, "participant": participant})


@permissions.member_required
def participant_recommendations(request: HttpRequest, session_pk: int) -> HttpResponse:
    session = _session(request, session_pk)
    participant = selectors.participant_for(session, request.user.person_id)
    if participant is None:
        return redirect("events:portal_profile", session.pk)
    return render(
        request,
        "events/portal_recommendations.html",
        {
            "session": session,
            "participant": participant,
            "recommendations": recommendations.recommend(participant, limit=15),
            "others": session.participants.exclude(pk=participant.pk)
            .filter(no_show=False)
            .select_related("person", "organisation"),
            "sent": participant.requests_sent.count(),
        },
    )


@require_POST
@permissions.member_required
def request_create(request: HttpRequest, session_pk: int) -> HttpResponse:
    session = _session(request, session_pk)
    participant = _participant(request, session)
    target = session.participants.filter(pk=request.POST.get("target")).first()
    if target is None:
        messages.error(request, _("Participant inconnu."))
    else:
        try:
            matchmaking.request_create(
                actor=request.user, requester=participant, target=target, message=request.POST.get("message", "")[:500]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Demande envoyée à %(who)s.") % {"who": target})
    return redirect("events:portal_recommendations", session.pk)


@permissions.member_required
def participant_requests(request: HttpRequest, session_pk: int) -> HttpResponse:
    session = _session(request, session_pk)
    participant = _participant(request, session)
    return render(
        request,
        "events/portal_requests.html",
        {
            "session": session,
            "received": participant.requests_received.select_related("requester__person", "requester__organisation"),
            "sent": participant.requests_sent.select_related("target__person", "target__organisation"),
        },
    )


@require_POST
@permissions.member_required
def request_decide(request: HttpRequest, request_pk: int) -> HttpResponse:
    meeting_request = get_object_or_404(MeetingRequest.objects.select_related("target", "session"), pk=request_pk)
    if not permissions.can_act_as_participant(request.user, meeting_request.target):
        raise Http404
    try:
        matchmaking.request_decide(
            actor=request.user, request=meeting_request, accept=request.POST.get("accept") == "1"
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("events:portal_requests", meeting_request.session_id)


@permissions.member_required
def participant_agenda(request: HttpRequest, session_pk: int) -> HttpResponse:
    session = _session(request, session_pk)
    participant = _participant(request, session)
    meetings = list(selectors.participant_agenda(participant, published_only=True))
    return render(
        request,
        "events/portal_agenda.html",
        {
            "session": session,
            "participant": participant,
            "meetings": [(m, m.other(participant)) for m in meetings],
            "feed_url": calendars.absolute(
                reverse("events:person_feed", args=[selectors.calendar_feed_for(participant.person).token])
            ),
        },
    )


@permissions.member_required
def participant_agenda_pdf(request: HttpRequest, session_pk: int) -> HttpResponse:
    session = _session(request, session_pk)
    participant = _participant(request, session)
    meetings = selectors.participant_agenda(participant, published_only=True)
    return _pdf_response(pdf.agenda(participant, meetings), "agenda.pdf")
