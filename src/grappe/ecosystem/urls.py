from django.urls import include, path

from grappe.ecosystem import views

app_name = "ecosystem"
urlpatterns = [
    path("staff/organisations/", views.organisation_list, name="organisation_list"),
    path("staff/organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("staff/people/", views.person_list, name="person_list"),
    path("staff/memberships/", views.membership_list, name="membership_list"),
    # Import and export (CSV/XLSX) live in their own modules.
    path("", include("grappe.ecosystem.transfer_urls")),
]
