"""Give the demo's audit entries the dates at which the recorded changes "happened".

The demo writes through the audited services, so every change leaves the same entry a real user
would leave; but all of them are written in the few seconds the load takes. Inside
``with clock.at(day):`` every audit entry written is noted (through ``post_save``) with a moment of
that day at office hours; ``clock.flush()`` then re-dates them all in a few bulk updates, so an
organisation's history reads like five years of work: created, joined, renewed, resigned.
"""

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.models.signals import post_save
from django.utils import timezone

from grappe.core.models import AuditEntry


class Clock:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._now: dt.datetime | None = None
        self._dates: dict[int, dt.datetime] = {}

    def moment(self, day: dt.date) -> dt.datetime:
        """An aware datetime on ``day`` during office hours (Europe/Brussels)."""
        minutes = self._rng.randint(8 * 60 + 15, 17 * 60 + 45)
        naive = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60))
        return timezone.make_aware(naive, timezone.get_default_timezone())

    def _noted(self, sender: Any, instance: AuditEntry, created: bool, **kwargs: Any) -> None:
        if created and self._now is not None:
            self._dates[instance.pk] = self._now

    @contextmanager
    def at(self, day: dt.date) -> Iterator[dt.datetime]:
        """Audit entries written inside the block happened on ``day``; yields the moment."""
        self._now = self.moment(day)
        post_save.connect(self._noted, sender=AuditEntry, weak=False, dispatch_uid=id(self))
        try:
            yield self._now
        finally:
            post_save.disconnect(sender=AuditEntry, dispatch_uid=id(self))
            self._now = None

    def flush(self) -> int:
        """Write the noted dates; returns the number of entries re-dated."""
        entries = [AuditEntry(pk=pk, at=at) for pk, at in self._dates.items()]
        AuditEntry.objects.bulk_update(entries, ["at"], batch_size=500)
        self._dates.clear()
        return len(entries)
