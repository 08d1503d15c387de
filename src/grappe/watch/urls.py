from django.urls import path

from grappe.watch import views

app_name = "watch"
urlpatterns = [
    path("staff/watch/", views.dashboard, name="dashboard"),
    path("staff/watch/sources/", views.source_list, name="source_list"),
    path("staff/watch/sources/<int:pk>/", views.source_detail, name="source_detail"),
    path("staff/watch/sources/<int:pk>/action/", views.source_action, name="source_action"),
    path("staff/watch/items/", views.item_list, name="item_list"),
    path("staff/watch/items/<int:pk>/", views.item_detail, name="item_detail"),
    path("staff/watch/items/<int:pk>/status/", views.item_status, name="item_status"),
    path("staff/watch/items/<int:pk>/topics/", views.item_topic_mark, name="item_topic_mark"),
    path("staff/watch/topics/", views.topic_list, name="topic_list"),
    path("staff/watch/topics/<int:pk>/", views.topic_detail, name="topic_detail"),
    path("staff/watch/deadlines/", views.deadlines, name="deadlines"),
    path("watch/agenda/", views.agenda, name="agenda"),
    path("watch/organisations/<int:pk>/panel/", views.organisation_panel, name="organisation_panel"),
    path("portal/watch/", views.portal_subscriptions, name="portal_subscriptions"),
    path(
        "portal/watch/subscriptions/<int:pk>/delete/",
        views.portal_subscription_delete,
        name="portal_subscription_delete",
    ),
    path("portal/watch/digests/", views.portal_digests, name="portal_digests"),
    path("portal/watch/digests/<int:pk>/", views.portal_digest, name="portal_digest"),
    path("watch/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("watch/topics/<slug:slug>/<str:kind>.xml", views.topic_feed, name="topic_feed"),
]
