from django.urls import include, path

from grappe.ecosystem import (
    membership_views,
    person_views,
    portal_colleagues,
    portal_consents,
    taxonomy_views,
    views,
)

app_name = "ecosystem"
urlpatterns = [
    # Staff workspace: organisations
    path("staff/organisations/", views.organisation_list, name="organisation_list"),
    path("staff/organisations/new/", views.organisation_create, name="organisation_create"),
    path("staff/organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("staff/organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("staff/organisations/<int:pk>/delete/", views.organisation_delete, name="organisation_delete"),
    path("staff/organisations/<int:pk>/merge/", views.organisation_merge, name="organisation_merge"),
    path("staff/organisations/<int:pk>/sites/", views.site_add, name="site_add"),
    path("staff/organisations/<int:pk>/sites/<int:site_pk>/delete/", views.site_remove, name="site_remove"),
    path("staff/organisations/<int:pk>/activities/", views.activities_set, name="activities_set"),
    # Staff workspace: people
    path("staff/people/", person_views.person_list, name="person_list"),
    path("staff/people/new/", person_views.person_create, name="person_create"),
    path("staff/people/<int:pk>/", person_views.person_detail, name="person_detail"),
    path("staff/people/<int:pk>/edit/", person_views.person_edit, name="person_edit"),
    path("staff/people/<int:pk>/affiliations/", person_views.affiliation_add, name="affiliation_add"),
    path("staff/affiliations/<int:pk>/end/", person_views.affiliation_end, name="affiliation_end"),
    # Staff workspace: memberships
    path("staff/memberships/", membership_views.membership_list, name="membership_list"),
    path("staff/memberships/new/", membership_views.membership_create, name="membership_create"),
    path("staff/memberships/<int:pk>/edit/", membership_views.membership_edit, name="membership_edit"),
    path("staff/memberships/<int:pk>/renew/", membership_views.membership_renew, name="membership_renew"),
    path("staff/memberships/<int:pk>/end/", membership_views.membership_end, name="membership_end"),
    # Staff, and member users of the organisation (see permissions.can_download_membership_certificate).
    path(
        "staff/memberships/<int:pk>/certificate.pdf",
        membership_views.membership_certificate,
        name="membership_certificate",
    ),
    # Staff workspace: taxonomies
    path("staff/taxonomies/", taxonomy_views.taxonomy_index, name="taxonomy_index"),
    path("staff/taxonomies/<slug:kind>/new/", taxonomy_views.taxonomy_edit, name="taxonomy_create"),
    path("staff/taxonomies/<slug:kind>/<int:pk>/", taxonomy_views.taxonomy_edit, name="taxonomy_edit"),
    path("staff/taxonomies/<slug:kind>/<int:pk>/delete/", taxonomy_views.taxonomy_delete, name="taxonomy_delete"),
    # Member portal: their organisations and their own record
    path("portal/organisations/<int:pk>/", views.portal_organisation, name="portal_organisation"),
    path("portal/organisations/<int:pk>/edit/", views.portal_organisation_edit, name="portal_organisation_edit"),
    path("portal/me/", person_views.portal_me, name="portal_me"),
    path("portal/me/edit/", person_views.portal_me_edit, name="portal_me_edit"),
    path("portal/me/consents/", portal_consents.consents, name="portal_consents"),
    path("portal/organisations/<int:pk>/colleagues/", portal_colleagues.colleagues, name="portal_colleagues"),
    path(
        "portal/organisations/<int:pk>/colleagues/<int:user_pk>/revoke/",
        portal_colleagues.colleague_revoke_view,
        name="portal_colleague_revoke",
    ),
    path("portal/invitation/<str:uidb64>/<str:token>/", portal_colleagues.invitation_accept, name="portal_invitation"),
    # Import and export (CSV/XLSX) live in their own modules.
    path("", include("grappe.ecosystem.transfer_urls")),
]
