"""Public URLs outside the language prefix: the sitemap and robots.txt."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from grappe.showcase import views
from grappe.showcase.sitemaps import SITEMAPS

urlpatterns = [
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="showcase-sitemap"),
    path("robots.txt", views.robots_txt, name="showcase-robots"),
    path("opendata/organisations.csv", views.opendata_csv, name="showcase-opendata-csv"),
    path("opendata/organisations.json", views.opendata_json, name="showcase-opendata-json"),
]
