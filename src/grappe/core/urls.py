from django.urls import path

from grappe.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("staff/", views.workspace, name="workspace"),
    path("portal/", views.portal, name="portal"),
    path("reports/", views.reports, name="reports"),
    path("healthz", views.healthz, name="healthz"),
]
