"""``grappe ecosystem representativeness [--json] [--date YYYY-MM-DD] [--segment ID ...]``."""

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grappe.ecosystem.models import Segment
from grappe.insights.representativeness import FIRST_DAY, LAST_DAY, compute


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        # argparse needs a real str for the description (a lazy string breaks ``--help``).
        return _("Vision de l'écosystème : représentativité des membres par rapport à l'univers du registre.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rep = sub.add_parser("representativeness", help=gettext_lazy("représentativité des membres à une date"))
        rep.add_argument("--json", action="store_true", help=gettext_lazy("sortie JSON"))
        rep.add_argument("--date", help=gettext_lazy("date (AAAA-MM-JJ), aujourd'hui par défaut"))
        rep.add_argument(
            "--segment", type=int, action="append", help=gettext_lazy("limiter à ce segment (id), répétable")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def do_representativeness(self, options: dict[str, Any]) -> None:
        day = dt.date.today()
        if options.get("date"):
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(
                    _("--date : date invalide « %(value)s » (attendu AAAA-MM-JJ)") % {"value": options["date"]}
                ) from exc
            if not FIRST_DAY <= day <= LAST_DAY:
                raise CommandError(
                    _("--date : date hors limites « %(value)s » (entre %(first)s et %(last)s)")
                    % {"value": options["date"], "first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
                )
        segments = options.get("segment")
        if segments:
            unknown = sorted(set(segments) - set(Segment.objects.filter(pk__in=segments).values_list("pk", flat=True)))
            if unknown:
                raise CommandError(
                    _("--segment : segment inconnu : %(ids)s") % {"ids": ", ".join(str(i) for i in unknown)}
                )
        report = compute(day, segment_ids=segments)
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2, default=str))
            return
        self.stdout.write(_("Date : %(date)s") % {"date": report["date"]})
        self.stdout.write(_("Indice de représentativité : %(index)s") % {"index": _pct(report["index"])})
        self.stdout.write(
            _("Membres dans le périmètre : %(m)d / univers %(u)d (couverture %(c)s)")
            % {"m": report["members_in_perimeter"], "u": report["universe"], "c": _pct(report["coverage"])}
        )
        for note in report["notes"]:
            self.stdout.write(f"! {note}")
        for breakdown in report["breakdowns"].values():
            self.stdout.write(
                "\n"
                + _("%(label)s (indice %(index)s)") % {"label": breakdown["label"], "index": _pct(breakdown["index"])}
            )
            for cell in breakdown["cells"]:
                residual = "" if cell["residual"] is None else f"{cell['residual']:+.2f}"
                flag = " *" if cell["significant"] else ""
                universe = "—" if cell["universe"] is None else cell["universe"]
                self.stdout.write(
                    f"  {cell['label'][:50]:50} {cell['members']:6} {universe:>8}"
                    f" {_pct(cell['coverage']):>8} {residual:>7}{flag}"
                )
