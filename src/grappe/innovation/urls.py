"""URLs of the innovation app: staff under staff/innovation/, portal under portal/innovation/."""

from django.urls import path

from grappe.innovation import views

app_name = "innovation"
urlpatterns = [
    # staff
    path("staff/innovation/", views.board, name="board"),
    path("staff/innovation/projects/new/", views.project_create, name="project_create"),
    path("staff/innovation/projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("staff/innovation/projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("staff/innovation/projects/<int:pk>/move/", views.project_move, name="project_move"),
    path("staff/innovation/projects/<int:pk>/partners/add/", views.partner_add, name="partner_add"),
    path(
        "staff/innovation/projects/<int:pk>/partners/<int:partner_pk>/remove/",
        views.partner_remove,
        name="partner_remove",
    ),
    path("staff/innovation/projects/<int:pk>/invite/", views.partner_invite, name="partner_invite"),
    path(
        "staff/innovation/projects/<int:pk>/checklist/<int:item_pk>/",
        views.checklist_toggle,
        name="checklist_toggle",
    ),
    path("staff/innovation/projects/<int:pk>/checklist/add/", views.checklist_add, name="checklist_add"),
    path("staff/innovation/projects/<int:pk>/outcomes/add/", views.outcome_add, name="outcome_add"),
    path("staff/innovation/projects/<int:pk>/story/", views.story_create, name="story_create"),
    path("staff/innovation/projects/<int:pk>/documents/", views.project_documents, name="project_documents"),
    path("staff/innovation/stories/<int:pk>/", views.story_detail, name="story_detail"),
    path("staff/innovation/calls/", views.call_list, name="call_list"),
    path("staff/innovation/calls/new/", views.call_create, name="call_create"),
    path("staff/innovation/calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("staff/innovation/calls/<int:pk>/edit/", views.call_edit, name="call_edit"),
    path("staff/innovation/support/", views.support_list, name="support_list"),
    # staff and member users of the organisation (the panel of the organisation page)
    path("innovation/organisations/<int:pk>/projects/", views.organisation_panel, name="organisation_panel"),
    path("innovation/documents/<int:pk>/", views.document_download, name="document_download"),
    # member portal
    path("portal/innovation/", views.portal_home, name="portal_home"),
    path("portal/innovation/submit/", views.portal_submit, name="portal_submit"),
    path("portal/innovation/projects/<int:pk>/", views.portal_project, name="portal_project"),
    path("portal/innovation/projects/<int:pk>/documents/", views.portal_documents, name="portal_documents"),
]
