from django.urls import path

from grappe.core import jobs, views, webhook_views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("staff/", views.workspace, name="workspace"),
    path("portal/", views.portal, name="portal"),
    path("reports/", views.reports, name="reports"),
    path("healthz", views.healthz, name="healthz"),
    path("staff/jobs/", jobs.job_list, name="jobs"),
    path("staff/jobs/<uuid:task_id>/retry/", jobs.job_retry, name="job_retry"),
    path("staff/jobs/periodic/<str:key>/run/", jobs.periodic_run_now, name="periodic_run_now"),
    path("staff/webhooks/", webhook_views.webhook_list, name="webhooks"),
    path("staff/webhooks/<int:pk>/", webhook_views.webhook_detail, name="webhook_detail"),
    path("staff/webhooks/<int:pk>/ping/", webhook_views.webhook_ping, name="webhook_ping"),
    path("staff/webhooks/<int:pk>/delete/", webhook_views.webhook_delete, name="webhook_delete"),
    path("staff/webhooks/deliveries/<int:pk>/redeliver/", webhook_views.delivery_redeliver, name="webhook_redeliver"),
]
