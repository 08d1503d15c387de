"""``grappe ecosystem_import FILE --kind organisations|people [--dry-run] [--mapping col=field,...]``.

Prints the per-line report of the dry run; without ``--dry-run`` and when the file has no error,
imports it in one transaction (all or nothing). Exits with an error status when nothing was imported.
"""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from grappe.ecosystem import importing
from grappe.ecosystem.importing import plan as plan_module
from grappe.ecosystem.importing.fields import column_letter, field_label
from grappe.ecosystem.importing.plan import DECISIONS, MODES, REVIEW


class Command(BaseCommand):
    help = "Importe des organisations ou des personnes depuis un fichier CSV ou XLSX (tout ou rien)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", choices=importing.KINDS, required=True)
        parser.add_argument("--dry-run", action="store_true", help="Affiche le rapport sans rien enregistrer.")
        parser.add_argument(
            "--mapping",
            default="",
            help='Corrige la correspondance automatique : "En-tête=champ,C=-" (colonne par en-tête ou lettre).',
        )
        parser.add_argument("--mode", choices=list(MODES), default=importing.MODE_CREATE_ONLY)
        parser.add_argument(
            "--duplicates",
            choices=list(DECISIONS),
            default="",
            help="Décision pour chaque doublon probable (sinon ils bloquent l'import).",
        )
        parser.add_argument("--actor", default="", help="E-mail de l'utilisateur à qui attribuer les changements.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        kind: str = options["kind"]
        if not path.is_file():
            raise CommandError(_("Fichier introuvable : %(path)s") % {"path": path})
        actor = None
        if options["actor"]:
            actor = get_user_model().objects.filter(email__iexact=options["actor"]).first()
            if actor is None:
                raise CommandError(_("Aucun utilisateur %(email)s.") % {"email": options["actor"]})
        try:
            table = importing.read_table(path.read_bytes(), path.name)
            mapping = importing.parse_mapping_option(kind, table.headers, options["mapping"])
        except (importing.ImportFileError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        plan = importing.build_plan(kind, table, filename=path.name, mapping=mapping, mode=options["mode"])
        if options["duplicates"]:
            decisions = {line.line: options["duplicates"] for line in plan.lines if line.action == REVIEW}
            plan = importing.build_plan(
                kind, table, filename=path.name, mapping=mapping, mode=options["mode"], decisions=decisions
            )
        self._report(plan, table)
        if plan.errors or plan.undecided or not plan.can_apply:
            # The reasons and the first errors, so that the failure explains itself in a log.
            raise CommandError(" ".join([_("Rien n'a été importé."), *plan.blocking_reasons(), *plan.errors[:3]]))
        if options["dry_run"]:
            self.stdout.write(_("Essai à blanc : rien n'a été enregistré."))
            return
        try:
            summary = importing.apply_plan(plan, actor=actor)
        except importing.ApplyError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("Importé : %(created)s créée(s), %(updated)s mise(s) à jour, %(skipped)s ignorée(s).")
                % summary.as_dict()
            )
        )

    def _report(self, plan: importing.Plan, table: importing.Table) -> None:
        self.stdout.write(
            _("%(file)s : %(description)s, %(count)s ligne(s) de données")
            % {"file": plan.filename, "description": table.description, "count": len(plan.lines)}
        )
        for position, header in enumerate(plan.headers):
            key = plan.mapping[position]
            target = field_label(plan.kind, key) if key else _("(ignorée)")
            self.stdout.write(f"  {column_letter(position)} « {header} » -> {target}")
        for problem in plan.problems:
            self.stdout.write(self.style.ERROR(problem))
        for line in plan.lines:
            if line.errors:
                for error in line.errors:
                    self.stdout.write(self.style.ERROR(error))
                continue
            decision = plan_module.DECISIONS.get(line.decision, "") if line.action == REVIEW else ""
            label = str(decision or line.action_label)
            extra = f" — {line.match.label} ({line.match.reason})" if line.match else ""
            self.stdout.write(_("Ligne %(line)s : %(action)s") % {"line": line.line, "action": label} + extra)
            for warning in line.warnings:
                self.stdout.write(self.style.WARNING(f"  {warning}"))
        counts = plan.counts()
        self.stdout.write(
            _(
                "Total : %(create)s à créer, %(update)s à mettre à jour, %(skip)s à ignorer, "
                "%(review)s doublon(s) à trancher, %(error)s en erreur."
            )
            % counts
        )
