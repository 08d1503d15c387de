"""Small template helpers of the innovation pages (presentation only; rules live in services)."""

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from grappe.innovation.models import InnovationProject
from grappe.innovation.services import allowed_moves

register = template.Library()


@register.simple_tag
def stage_neighbours(project: InnovationProject) -> dict[str, Any]:
    moves = allowed_moves(project)
    labels = dict(InnovationProject.Stage.choices)
    return {
        **moves,
        "previous_label": labels.get(moves["previous"], ""),
        "next_label": labels.get(moves["next"], ""),
    }


@register.filter
def is_stalled(project: InnovationProject, days: int) -> bool:
    """Still active and in the same stage for more than ``days`` days (same rule as ``selectors.stalled_projects``)."""
    since = project.stage_entered_at
    return bool(
        project.stage in InnovationProject.ACTIVE_STAGES
        and since
        and since < timezone.now() - dt.timedelta(days=int(days or 0))
    )
