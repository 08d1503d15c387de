"""The default checklist of each stage gate: what must be done before a project leaves a stage.

Each new project gets a copy (``GateChecklistItem`` rows) that staff may tick, complete or extend.
Mandatory items of every gate between the current stage and the target block a forward move.
"""

from django.utils.translation import gettext_lazy as _

from grappe.innovation.models import InnovationProject

Stage = InnovationProject.Stage

# stage -> [(label, mandatory)]
DEFAULT_GATES: dict[str, list[tuple[str, bool]]] = {
    Stage.IDEA: [
        (_("Idée reformulée avec le porteur"), True),
        (_("Organisation porteuse confirmée"), True),
    ],
    Stage.EMERGENCE: [
        (_("Besoins en compétences et en partenaires identifiés"), True),
        (_("Niveau de maturité technologique (TRL) estimé"), True),
        (_("Recherche d'antériorité sommaire"), False),
    ],
    Stage.ELABORATION: [
        (_("Consortium constitué"), True),
        (_("Appel à projets ou financeur choisi"), True),
        (_("Budget établi avec les partenaires"), True),
        (_("Relecture du dossier par le cluster"), False),
    ],
    Stage.SUBMITTED: [
        (_("Décision du financeur reçue"), True),
    ],
    Stage.FUNDED: [
        (_("Convention de financement signée"), True),
    ],
    Stage.RUNNING: [
        (_("Résultats exploitables identifiés"), True),
        (_("Rapport final remis au financeur"), False),
    ],
    Stage.VALORISATION: [
        (_("Résultats valorisés documentés"), True),
    ],
}
