from django.urls import path

from grappe.privacy import views

app_name = "privacy"
urlpatterns = [
    path("staff/privacy/", views.register, name="register"),
    path("staff/privacy/people/<int:pk>/export.zip", views.person_export, name="person_export"),
    path("staff/privacy/people/<int:pk>/erase/", views.person_erase, name="person_erase"),
    path("staff/privacy/requests/<int:pk>/refuse/", views.request_refuse, name="request_refuse"),
    path("portal/privacy/", views.portal, name="portal"),
]
