"""Import and export of organisations and people (CSV/XLSX), staff only."""

from django.urls import path, re_path

from grappe.ecosystem import transfer_views as views

_FMT = r"(?P<fmt>csv|xlsx)"

urlpatterns = [
    re_path(rf"^staff/organisations/export/{_FMT}/$", views.organisation_export, name="organisation_export"),
    re_path(rf"^staff/people/export/{_FMT}/$", views.person_export, name="person_export"),
    path("staff/organisations/import/", views.organisation_import, name="organisation_import"),
    path(
        "staff/organisations/import/<str:token>/",
        views.organisation_import_preview,
        name="organisation_import_preview",
    ),
    path(
        "staff/organisations/import/<str:token>/done/",
        views.organisation_import_done,
        name="organisation_import_done",
    ),
    path("staff/people/import/", views.person_import, name="person_import"),
    path("staff/people/import/<str:token>/", views.person_import_preview, name="person_import_preview"),
    path("staff/people/import/<str:token>/done/", views.person_import_done, name="person_import_done"),
]
