"""URLs of the events app: staff under staff/events/, public pages under events/, portal under portal/events/."""

from django.urls import path

from grappe.events.views import matchmaking, portal, public, staff

app_name = "events"
urlpatterns = [
    # staff
    path("staff/events/", staff.event_list, name="event_list"),
    path("staff/events/new/", staff.event_create, name="event_create"),
    path("staff/events/<int:pk>/", staff.event_detail, name="event_detail"),
    path("staff/events/<int:pk>/edit/", staff.event_edit, name="event_edit"),
    path("staff/events/<int:pk>/<str:action>/status/", staff.event_status, name="event_status"),
    path(
        "staff/events/<int:pk>/registrations/<int:registration_pk>/cancel/",
        staff.registration_cancel,
        name="registration_cancel",
    ),
    path("staff/events/<int:pk>/check-in/", staff.check_in, name="check_in"),
    path("staff/events/<int:pk>/check-in/<int:registration_pk>/", staff.check_in_toggle, name="check_in_toggle"),
    path("staff/events/<int:pk>/no-shows/", staff.record_no_shows, name="record_no_shows"),
    path("staff/events/<int:pk>/attendees.pdf", staff.attendees_pdf, name="attendees_pdf"),
    path("staff/events/<int:pk>/badges.pdf", staff.badges_pdf, name="badges_pdf"),
    path("staff/events/<int:pk>/statistics/", staff.event_statistics, name="event_statistics"),
    path(
        "staff/events/organisations/<int:organisation_pk>/panel/", staff.organisation_panel, name="organisation_panel"
    ),
    # staff: matchmaking
    path("staff/events/<int:pk>/matchmaking/", matchmaking.session_setup, name="session_setup"),
    path("staff/events/matchmaking/<int:session_pk>/", matchmaking.session_detail, name="session_detail"),
    path("staff/events/matchmaking/<int:session_pk>/agendas/", matchmaking.session_agendas, name="session_agendas"),
    path(
        "staff/events/matchmaking/<int:session_pk>/add-registered/",
        matchmaking.session_add_registered,
        name="session_add_registered",
    ),
    path("staff/events/matchmaking/<int:session_pk>/run/", matchmaking.session_run, name="session_run"),
    path("staff/events/matchmaking/<int:session_pk>/publish/", matchmaking.session_publish, name="session_publish"),
    path("staff/events/matchmaking/<int:session_pk>/impose/", matchmaking.meeting_impose, name="meeting_impose"),
    path("staff/events/matchmaking/<int:session_pk>/move/", matchmaking.meeting_move, name="meeting_move"),
    path("staff/events/meetings/<int:meeting_pk>/lock/", matchmaking.meeting_lock, name="meeting_lock"),
    path("staff/events/meetings/<int:meeting_pk>/outcome/", matchmaking.meeting_outcome, name="meeting_outcome"),
    path(
        "staff/events/participants/<int:participant_pk>/no-show/",
        matchmaking.participant_no_show,
        name="participant_no_show",
    ),
    # public (the showcase app will add the language-prefixed listing)
    path("events/feed.ics", public.public_feed, name="public_feed"),
    path("events/calendar/<str:token>.ics", public.person_feed, name="person_feed"),
    path("events/manage/<str:token>/", public.registration_manage, name="registration_manage"),
    path("events/manage/<str:token>/cancel/", public.registration_cancel_self, name="registration_cancel_self"),
    path("events/survey/<str:token>/", public.survey, name="survey"),
    path("events/<slug:slug>/", public.event_public, name="event_public"),
    path("events/<slug:slug>.ics", public.event_ics, name="event_ics"),
    # member portal
    path("portal/events/", portal.my_events, name="portal_events"),
    path("portal/events/matchmaking/<int:session_pk>/", portal.participant_profile, name="portal_profile"),
    path(
        "portal/events/matchmaking/<int:session_pk>/suggestions/",
        portal.participant_recommendations,
        name="portal_recommendations",
    ),
    path("portal/events/matchmaking/<int:session_pk>/request/", portal.request_create, name="portal_request_create"),
    path("portal/events/matchmaking/<int:session_pk>/requests/", portal.participant_requests, name="portal_requests"),
    path("portal/events/requests/<int:request_pk>/decide/", portal.request_decide, name="portal_request_decide"),
    path("portal/events/matchmaking/<int:session_pk>/agenda/", portal.participant_agenda, name="portal_agenda"),
    path(
        "portal/events/matchmaking/<int:session_pk>/agenda.pdf", portal.participant_agenda_pdf, name="portal_agenda_pdf"
    ),
]
