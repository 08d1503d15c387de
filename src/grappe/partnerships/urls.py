"""URLs of the partnerships app: staff under staff/partnerships/, portal under portal/partnerships/."""

from django.urls import path

from grappe.partnerships import views

app_name = "partnerships"
urlpatterns = [
    # staff
    path("staff/partnerships/", views.collaboration_list, name="collaboration_list"),
    path("staff/partnerships/collaborations/new/", views.collaboration_create, name="collaboration_create"),
    path("staff/partnerships/collaborations/<int:pk>/", views.collaboration_detail, name="collaboration_detail"),
    path("staff/partnerships/collaborations/<int:pk>/edit/", views.collaboration_edit, name="collaboration_edit"),
    path(
        "staff/partnerships/collaborations/<int:pk>/partners/add/",
        views.collaboration_add_partner,
        name="collaboration_add_partner",
    ),
    path(
        "staff/partnerships/collaborations/<int:pk>/partners/<int:partner_pk>/remove/",
        views.collaboration_remove_partner,
        name="collaboration_remove_partner",
    ),
    path(
        "staff/partnerships/collaborations/<int:pk>/documents/add/",
        views.collaboration_add_document,
        name="collaboration_add_document",
    ),
    path("staff/partnerships/introductions/", views.introduction_list, name="introduction_list"),
    path("staff/partnerships/introductions/new/", views.introduction_create, name="introduction_create"),
    path("staff/partnerships/introductions/<int:pk>/", views.introduction_detail, name="introduction_detail"),
    path("staff/partnerships/requests/", views.request_list, name="request_list"),
    path("staff/partnerships/requests/<int:pk>/", views.request_detail, name="request_detail"),
    path(
        "staff/partnerships/organisations/<int:pk>/interactions/",
        views.organisation_interactions,
        name="organisation_interactions",
    ),
    path("staff/partnerships/interactions/<int:pk>/edit/", views.interaction_edit, name="interaction_edit"),
    path("staff/partnerships/interactions/<int:pk>/done/", views.interaction_done, name="interaction_done"),
    path("staff/partnerships/follow-ups/", views.follow_ups, name="follow_ups"),
    # staff and member users of the organisation (the panel of the organisation page)
    path(
        "partnerships/organisations/<int:pk>/timeline/",
        views.organisation_timeline_panel,
        name="organisation_timeline",
    ),
    path("partnerships/documents/<int:pk>/", views.document_download, name="document_download"),
    # member portal
    path("portal/partnerships/", views.portal_home, name="portal_home"),
    path("portal/partnerships/requests/new/", views.portal_request_create, name="portal_request_create"),
    path("portal/partnerships/collaborations/<int:pk>/", views.portal_collaboration, name="portal_collaboration"),
]
