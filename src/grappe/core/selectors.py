"""Figures for the entry pages, read through the ecosystem's selectors."""

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def workspace_cards() -> list[dict[str, Any]]:
    from grappe.ecosystem import selectors as eco

    today = dt.date.today()
    return [
        {
            "label": _("organisations dans l'écosystème"),
            "value": eco.organisation_count(),
            "url": reverse("ecosystem:organisation_list"),
        },
        {
            "label": _("membres aujourd'hui"),
            "value": eco.members_on(today).count(),
            "url": reverse("ecosystem:membership_list"),
        },
        {"label": _("personnes"), "value": eco.person_count(), "url": reverse("ecosystem:person_list")},
        {
            "label": _("renouvellements dans les 60 jours"),
            "value": eco.renewals_due(today, days=60).count(),
            "url": reverse("ecosystem:membership_list") + "?renewals=1",
        },
    ]


def report_cards() -> list[dict[str, Any]]:
    from grappe.ecosystem import selectors as eco

    today = dt.date.today()
    return [
        {"label": _("membres aujourd'hui"), "value": eco.members_on(today).count()},
        {"label": _("organisations dans l'écosystème"), "value": eco.organisation_count()},
    ]
