"""Back-office branding."""

from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Grappe — back-office")
admin.site.site_title = settings.GRAPPE_CLUSTER_NAME
admin.site.index_title = _("Administration des données")
