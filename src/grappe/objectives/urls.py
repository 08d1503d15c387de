from django.urls import path

from grappe.objectives import views

app_name = "objectives"
urlpatterns = [
    # Read: staff and observers.
    path("reports/objectives/", views.dashboard, name="dashboard"),
    path("reports/objectives/export.csv", views.dashboard_csv, name="dashboard_csv"),
    path("reports/objectives/indicators/<int:pk>/", views.indicator_detail, name="indicator_detail"),
    path("reports/objectives/indicators/<int:pk>/<int:year>/", views.drilldown, name="drilldown"),
    path("reports/objectives/contracts/<int:pk>/report/", views.report_download, name="report_download"),
    path("reports/objectives/contracts/<int:pk>/archives/", views.archive_list, name="archive_list"),
    path("reports/objectives/archives/<int:pk>/", views.archive_detail, name="archive_detail"),
    path("reports/objectives/archives/<int:pk>/<str:fmt>/", views.archive_file, name="archive_file"),
    # Write: staff.
    path("staff/objectives/", views.contract_list, name="contract_list"),
    path("staff/objectives/contracts/new/", views.contract_edit, name="contract_create"),
    path("staff/objectives/contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("staff/objectives/contracts/<int:pk>/edit/", views.contract_edit, name="contract_edit"),
    path("staff/objectives/contracts/<int:pk>/archive/", views.report_archive, name="report_archive"),
    path("staff/objectives/contracts/<int:contract_pk>/objectives/new/", views.objective_edit, name="objective_create"),
    path(
        "staff/objectives/contracts/<int:contract_pk>/objectives/<int:pk>/edit/",
        views.objective_edit,
        name="objective_edit",
    ),
    path("staff/objectives/contracts/<int:contract_pk>/indicators/new/", views.indicator_edit, name="indicator_create"),
    path(
        "staff/objectives/contracts/<int:contract_pk>/indicators/<int:pk>/edit/",
        views.indicator_edit,
        name="indicator_edit",
    ),
    path("staff/objectives/indicators/<int:pk>/delete/", views.indicator_delete, name="indicator_delete"),
    path(
        "staff/objectives/indicators/<int:indicator_pk>/measurements/new/",
        views.measurement_edit,
        name="measurement_create",
    ),
    path(
        "staff/objectives/indicators/<int:indicator_pk>/measurements/<int:pk>/edit/",
        views.measurement_edit,
        name="measurement_edit",
    ),
    path("staff/objectives/measurements/<int:pk>/delete/", views.measurement_delete, name="measurement_delete"),
]
