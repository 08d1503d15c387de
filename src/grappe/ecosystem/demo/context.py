"""What every demo step shares: the reference day, the random source for writes, the clock, the staff."""

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from grappe.ecosystem.demo.clock import Clock


@dataclass
class DemoContext:
    today: dt.date
    history_start: dt.date
    rng: random.Random  # write-time choices only (who recorded a change, when in the day)
    clock: Clock
    admin: Any
    staff: Any

    def actor(self) -> Any:
        """Who recorded a change: mostly the facilitator, sometimes the manager."""
        return self.staff if self.rng.random() < 0.75 else self.admin
