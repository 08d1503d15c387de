from django.conf import settings
from django.tasks import task


@task()
def apply_retention() -> int:
    """Daily: erase the retention candidates when GRAPPE_RETENTION_APPLY is on, else a dry run (audited)."""
    from grappe.privacy.services import retention_run

    return len(retention_run(apply=bool(getattr(settings, "GRAPPE_RETENTION_APPLY", False))))


@task()
def notify_erasure_request(request_id: int) -> int:
    """Tell the active staff that a person asked to be erased (no personal data in the e-mail body
    beyond the link: the request is handled in Grappe)."""
    from django.contrib.auth import get_user_model
    from django.core.mail import EmailMessage
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from grappe.privacy.models import ErasureRequest

    erasure_request = ErasureRequest.objects.filter(pk=request_id).first()
    if erasure_request is None or erasure_request.status != ErasureRequest.Status.PENDING:
        return 0
    staff = get_user_model().objects.filter(is_active=True, role__in=["staff", "admin"]).exclude(email="")
    recipients = sorted(staff.values_list("email", flat=True))
    if not recipients:
        return 0
    link = settings.SITE_URL.rstrip("/") + reverse("privacy:person_erase", args=[erasure_request.person_id])
    EmailMessage(
        subject=_("Grappe : nouvelle demande d'effacement de données (n° %(id)s)") % {"id": erasure_request.pk},
        body=_(
            "Une personne a demandé l'effacement de ses données. Le RGPD impose une réponse dans le mois.\n\n"
            "Traiter la demande : %(link)s"
        )
        % {"link": link},
        to=recipients,
    ).send()
    return len(recipients)
