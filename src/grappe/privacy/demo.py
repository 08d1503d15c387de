"""Demo data of the GDPR pages (``grappe demo``, after every other app): two erasure requests from
non-member contacts (one pending, one refused with its reason) and a dry run of the retention job,
so the register of processing activities shows real work to do."""

from typing import TextIO

from django.db.models import Count

from grappe.accounts.models import User
from grappe.ecosystem.models import Person
from grappe.privacy import services


def load_demo(stdout: TextIO) -> None:
    staff = User.objects.filter(role=User.Role.STAFF, is_active=True).order_by("pk").first()
    # Contacts without a login: the requests come from people who wrote to the cluster.
    people = list(
        Person.objects.filter(user__isnull=True, erased_at__isnull=True)
        .annotate(n=Count("affiliations"))
        .order_by("n", "pk")[:2]
    )
    if len(people) < 2:
        stdout.write("  privacy: not enough contacts for the demo requests\n")
        return
    services.request_erasure(
        actor=None, person=people[0], reason="Je ne travaille plus dans le secteur de la construction."
    )
    refused, _new = services.request_erasure(actor=None, person=people[1])
    services.refuse_erasure(
        actor=staff,
        erasure_request=refused,
        comment="Une facture de cotisation de 2024 est encore ouverte : conservation légale jusqu'à son apurement.",
    )
    candidates = services.retention_run(apply=False)
    stdout.write(f"  privacy: 1 pending and 1 refused erasure request, retention dry run: {len(candidates)} contacts\n")
