from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShowcaseConfig(AppConfig):
    name = "grappe.showcase"
    label = "showcase"
    verbose_name = _("Visibilité")

    def ready(self) -> None:
        import datetime as dt

        from grappe.core.registry import (
            register_demo,
            register_organisation_panel,
            register_periodic,
            register_portal_menu,
            register_staff_menu,
        )
        from grappe.showcase import signals, tasks

        signals.connect()

        def load_demo(stdout) -> None:  # imported lazily: only `grappe demo` needs it
            from grappe.showcase.demo import load

            load(stdout)

        register_demo("showcase", load_demo, order=95)
        register_portal_menu(_("Mon profil public"), "showcase_members:portal_profiles", order=15)
        register_staff_menu(_("Profils publics à valider"), "showcase_members:staff_proposals", order=75)
        register_staff_menu(_("Actions de promotion"), "showcase_members:promotion_list", order=76)
        register_staff_menu(_("Actualités et récits"), "showcase_members:staff_posts", order=77)
        register_staff_menu(_("Opportunités à modérer"), "showcase_members:staff_opportunities", order=78)
        register_portal_menu(_("Publier une opportunité"), "showcase_members:portal_opportunities", order=16)
        register_staff_menu(_("Certifications à vérifier"), "showcase_members:staff_certifications", order=79)
        register_organisation_panel(
            _("Certifications (profil public)"), "showcase_members:certifications_panel", order=60, staff_only=True
        )
        # Memberships end and start with the calendar, not with a save: the index is re-synced nightly.
        register_periodic(
            "showcase.reindex",
            tasks.reindex_directory,
            dt.timedelta(hours=6),
            _("Visibilité : resynchroniser l'index de l'annuaire public"),
        )
        # Daily; each opportunity's poster is reminded once per expiry date (``Opportunity.reminded_for``).
        register_periodic(
            "showcase.opportunity_expiry_reminders",
            tasks.send_opportunity_expiry_reminders,
            dt.timedelta(days=1),
            _("Visibilité : rappeler aux auteurs les opportunités qui expirent bientôt"),
        )
