"""URLs of the strategic view, all under staff/insights/ (staff and observers)."""

from django.urls import path

from grappe.insights import views

app_name = "insights"
urlpatterns = [
    path("staff/insights/", views.dashboard, name="dashboard"),
    path("staff/insights/representativeness/", views.representativeness, name="representativeness"),
    path("staff/insights/prospects/", views.prospects, name="prospects"),
    path("staff/insights/prospects/act/", views.prospect_act, name="prospect_act"),
    path("staff/insights/map/", views.ecosystem_map_view, name="map"),
    path("staff/insights/network/", views.network, name="network"),
    path("staff/insights/perimeter/", views.perimeter, name="perimeter"),
    path("insights/organisations/<int:pk>/map/", views.organisation_map_panel, name="organisation_map"),
    path("staff/insights/perimeter/nace/", views.perimeter_search, name="perimeter_search"),
    path("staff/insights/perimeter/<int:pk>/", views.perimeter_segment, name="perimeter_segment"),
]
