"""Member portal: a member user grants or withdraws their own consents, one purpose at a time.

A purpose is "given" when one of the person's consent rows for it is not withdrawn. Granting records a
new row (source: portal); withdrawing stamps every active row of the purpose. Both go through
``services.consent_record`` / ``services.consent_withdraw``, which write the audit entries.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from grappe.accounts import permissions
from grappe.ecosystem import services
from grappe.ecosystem.models import Consent, Person


def _me(request: HttpRequest) -> Person:
    if not permissions.can_use_own_person_record(request.user):
        raise PermissionDenied
    person = Person.objects.filter(pk=request.user.person_id, erased_at__isnull=True).first()
    if person is None:
        raise PermissionDenied
    return person


def consent_states(person: Person) -> list[dict]:
    rows = list(person.consents.order_by("-given_at"))
    states = []
    for value, label in Consent.Purpose.choices:
        mine = [c for c in rows if c.purpose == value]
        active = next((c for c in mine if c.withdrawn_at is None), None)
        states.append({"purpose": value, "label": label, "active": active, "last": mine[0] if mine else None})
    return states


@permissions.login_required
def consents(request: HttpRequest) -> HttpResponse:
    person = _me(request)
    if request.method == "POST":
        purpose, action = request.POST.get("purpose", ""), request.POST.get("action", "")
        if purpose not in Consent.Purpose.values or action not in ("grant", "withdraw"):
            messages.error(request, _("Demande invalide : aucun consentement n'a été modifié."))
            return render(request, "ecosystem/portal_consents.html", {"states": consent_states(person)}, status=400)
        label = Consent.Purpose(purpose).label
        with transaction.atomic():
            active = list(person.consents.select_for_update().filter(purpose=purpose, withdrawn_at__isnull=True))
            if action == "grant":
                if active:
                    messages.info(request, _("Consentement déjà donné : « %(label)s ».") % {"label": label})
                else:
                    services.consent_record(
                        actor=request.user, person=person, purpose=purpose, source=Consent.Source.PORTAL
                    )
                    messages.success(request, _("Consentement donné : « %(label)s ».") % {"label": label})
            elif active:
                for consent in active:
                    services.consent_withdraw(actor=request.user, consent=consent)
                messages.success(request, _("Consentement retiré : « %(label)s ».") % {"label": label})
            else:
                messages.info(request, _("Aucun consentement à retirer pour « %(label)s ».") % {"label": label})
        return redirect("ecosystem:portal_consents")
    return render(request, "ecosystem/portal_consents.html", {"states": consent_states(person)})
