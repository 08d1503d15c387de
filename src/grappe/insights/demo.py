"""Demo data of the strategic view (``grappe demo``, after the ecosystem and the register).

Insights owns no table; what it adds to the demo is the perimeter work a cluster manager does with
the perimeter editor: every segment's NACE-BEL 2025 codes get their NACE-BEL 2008 twin (same code,
when it exists), so enterprises the register still records under the 2008 version are in the
universe. The change goes through ``perimeter_editor.segment_codes_set`` as a staff member, so the
audit log shows it. Then one line sums up the representativeness and the prospects.
"""

import datetime as dt
from typing import TextIO

from grappe.accounts.models import User
from grappe.ecosystem.models import Segment
from grappe.insights.perimeter_editor import segment_codes_set
from grappe.referential.models import NaceCode


def load_demo(stdout: TextIO, *, today: dt.date | None = None) -> None:
    today = today or dt.date.today()
    staff = User.objects.filter(role=User.Role.STAFF, is_active=True).order_by("pk").first()
    twins = {code: pk for code, pk in NaceCode.objects.filter(version=NaceCode.Version.V2008).values_list("code", "pk")}
    changed = 0
    for segment in Segment.objects.prefetch_related("nace_codes").order_by("pk"):
        current = list(segment.nace_codes.all())
        have = {(n.version, n.code) for n in current}
        added = [
            twins[n.code]
            for n in current
            if n.version == NaceCode.Version.V2025 and n.code in twins and ("2008", n.code) not in have
        ]
        if added:
            segment_codes_set(actor=staff, segment=segment, code_ids=[n.pk for n in current] + added)
            changed += 1
    from grappe.insights.prospects import rank_prospects

    result = rank_prospects(today, limit=20)
    report_index = result.under and min(c["residual"] for c in result.under)
    stdout.write(
        f"insights: perimeter of {changed} segments completed with NACE-BEL 2008 codes; "
        f"{result.candidates} prospects in under-represented cells (lowest residual {report_index or 0:.1f})\n"
    )
