"""Staff pages of the register (REG-MANAGE): all under staff/register/."""

from django.urls import path

from grappe.register import views

app_name = "register"
urlpatterns = [
    path("staff/register/", views.search, name="search"),
    path("staff/register/enterprises/<int:number>/", views.enterprise_detail, name="enterprise_detail"),
    path("staff/register/enterprises/<int:number>/add/", views.enterprise_add, name="enterprise_add"),
    path("staff/register/enterprises/<int:number>/link/", views.enterprise_link, name="enterprise_link"),
    path("staff/register/changes/", views.changes, name="changes"),
    path("staff/register/changes/<int:pk>/add/", views.change_add, name="change_add"),
    path("staff/register/changes/<int:pk>/prospect/", views.change_prospect, name="change_prospect"),
    path("staff/register/candidates/", views.candidates, name="candidates"),
    path(
        "staff/register/candidates/<int:pk>/<slug:decision>/",
        views.candidate_review,
        name="candidate_review",
    ),
    path("staff/register/organisations/<int:pk>/panel/", views.organisation_panel, name="organisation_panel"),
    path("staff/register/organisations/<int:pk>/enrich/", views.organisation_enrich, name="organisation_enrich"),
    path("staff/register/imports/", views.import_list, name="import_list"),
    path("staff/register/imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
]
