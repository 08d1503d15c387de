"""URLs outside the language prefix: sitemap, robots.txt, open data; member portal and staff pages."""

from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from grappe.showcase import certification_views, content_views, pages, profile_views, promotion_views, views
from grappe.showcase.sitemaps import SITEMAPS

member_and_staff = [
    path("portal/public-profile/", profile_views.portal_profiles, name="portal_profiles"),
    path("portal/public-profile/<int:pk>/", profile_views.portal_profile_edit, name="portal_profile_edit"),
    path("staff/showcase/proposals/", profile_views.staff_proposals, name="staff_proposals"),
    path("staff/showcase/proposals/<int:pk>/", profile_views.staff_proposal, name="staff_proposal"),
    path("portal/opportunities/", content_views.portal_opportunities, name="portal_opportunities"),
    path("portal/opportunities/<int:pk>/edit/", content_views.opportunity_edit, name="opportunity_edit"),
    path("portal/opportunities/<int:pk>/extend/", content_views.opportunity_extend, name="opportunity_extend"),
    path("portal/opportunities/<int:pk>/withdraw/", content_views.opportunity_withdraw, name="opportunity_withdraw"),
    path("staff/showcase/opportunities/", content_views.staff_opportunities, name="staff_opportunities"),
    path(
        "staff/showcase/opportunities/<int:pk>/moderate/",
        content_views.staff_opportunity_moderate,
        name="staff_opportunity_moderate",
    ),
    path("staff/showcase/posts/", content_views.staff_posts, name="staff_posts"),
    path("staff/showcase/posts/new/", content_views.staff_post_edit, name="staff_post_create"),
    path("staff/showcase/posts/<int:pk>/", content_views.staff_post_edit, name="staff_post_edit"),
    path(
        "staff/showcase/story-drafts/<int:draft_id>/take-over/",
        content_views.staff_take_over_draft,
        name="staff_take_over_draft",
    ),
    path(
        "portal/public-profile/<int:pk>/certifications/",
        certification_views.portal_certifications,
        name="portal_certifications",
    ),
    path(
        "portal/certifications/<int:pk>/delete/",
        certification_views.portal_certification_delete,
        name="portal_certification_delete",
    ),
    path("staff/showcase/certifications/", certification_views.staff_certifications, name="staff_certifications"),
    path(
        "staff/showcase/organisations/<int:pk>/certifications/",
        certification_views.staff_organisation_certifications,
        name="staff_organisation_certifications",
    ),
    path(
        "staff/showcase/organisations/<int:pk>/certifications/panel/",
        certification_views.organisation_panel,
        name="certifications_panel",
    ),
    path(
        "staff/showcase/certifications/<int:pk>/",
        certification_views.staff_certification_edit,
        name="staff_certification_edit",
    ),
    path(
        "staff/showcase/certifications/<int:pk>/review/",
        certification_views.staff_certification_review,
        name="staff_certification_review",
    ),
    path(
        "staff/showcase/certifications/<int:pk>/delete/",
        certification_views.staff_certification_delete,
        name="staff_certification_delete",
    ),
    path("staff/showcase/promotion/", promotion_views.action_list, name="promotion_list"),
    path("staff/showcase/promotion/new/", promotion_views.action_edit, name="promotion_create"),
    path("staff/showcase/promotion/<int:pk>/", promotion_views.action_edit, name="promotion_edit"),
    path("staff/showcase/promotion/<int:pk>/delete/", promotion_views.action_delete, name="promotion_delete"),
]

urlpatterns = [
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="showcase-sitemap"),
    path("robots.txt", views.robots_txt, name="showcase-robots"),
    path("opendata/organisations.csv", views.opendata_csv, name="showcase-opendata-csv"),
    path("opendata/organisations.json", views.opendata_json, name="showcase-opendata-json"),
    path("opendata/catalog.jsonld", pages.dcat_catalog, name="showcase-dcat"),
    path("", include((member_and_staff, "showcase_members"))),
]
