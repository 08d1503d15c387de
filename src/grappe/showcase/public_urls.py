"""Public, language-prefixed pages (included inside i18n_patterns: /fr/, /en/, /nl/, /de/)."""

from django.urls import path

from grappe.showcase import views

app_name = "showcase"
urlpatterns = [
    path("", views.home, name="home"),
    path("directory/", views.directory, name="directory"),
    path("directory/<slug:slug>/", views.profile, name="profile"),
    path("value-chains/<slug:slug>/", views.value_chain, name="value_chain"),
]
