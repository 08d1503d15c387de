"""The register of processing activities (GDPR article 30) of a Grappe instance: what it processes, why,
on which legal basis, about whom, shared with whom, kept how long. Shown to staff at /staff/privacy/."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Activity:
    name: Any
    purpose: Any
    legal_basis: Any
    subjects: Any
    data: Any
    recipients: Any
    retention: Any
    app: str


ACTIVITIES = [
    Activity(
        _("Annuaire de l'écosystème et adhésions"),
        _("Connaître les organisations de la filière, gérer les adhésions et les cotisations."),
        _("Intérêt légitime du cluster ; contrat d'adhésion pour les membres."),
        _("Contacts des organisations (membres et non-membres)."),
        _("Nom, fonction, e-mail et téléphone professionnels, langues, centres d'intérêt, notes internes."),
        _("Équipe du cluster ; fiche publique des membres qui y consentent."),
        _("Tant que la personne est contact d'un membre ; sinon anonymisation après le délai d'inactivité."),
        "ecosystem",
    ),
    Activity(
        _("Moments d'échange et rendez-vous B2B"),
        _("Inscriptions, listes de présence, rendez-vous B2B, enquêtes de satisfaction."),
        _("Consentement à l'inscription ; intérêt légitime pour le suivi."),
        _("Participants aux événements."),
        _("Identité, e-mail, organisation, réponses au formulaire, présence, rendez-vous, avis."),
        _("Équipe du cluster ; les autres participants voient le profil B2B publié."),
        _("Délai d'inactivité ; les chiffres agrégés restent (rapports à la Région)."),
        "events",
    ),
    Activity(
        _("Veille et bulletins"),
        _("Envoyer les bulletins de veille choisis par les abonnés."),
        _("Consentement (abonnement), retirable à chaque envoi."),
        _("Abonnés."),
        _("E-mail, thèmes suivis, langue, historique des envois."),
        _("Équipe du cluster."),
        _("Jusqu'au désabonnement ; l'historique suit le délai d'inactivité."),
        "watch",
    ),
    Activity(
        _("Partenariats et interactions"),
        _("Suivre les collaborations, mises en relation et contacts avec les entreprises."),
        _("Intérêt légitime du cluster."),
        _("Contacts des organisations."),
        _("Interactions (date, type, résumé, notes internes), demandes de mise en relation."),
        _("Équipe du cluster ; les membres voient les lignes non internes de leurs organisations."),
        _("Délai d'inactivité."),
        "partnerships",
    ),
    Activity(
        _("Projets d'innovation"),
        _("Accompagner les projets des membres, de l'idée à la valorisation."),
        _("Intérêt légitime ; confidentialité par projet."),
        _("Porteurs et partenaires de projets."),
        _("Projet, consortium, documents, notes internes, heures d'accompagnement."),
        _("Équipe du cluster ; le consortium pour les projets « consortium »."),
        _("Durée du projet plus les obligations de rapport."),
        "innovation",
    ),
    Activity(
        _("Comptes et sécurité"),
        _("Authentifier les utilisateurs, tracer les modifications (journal d'audit)."),
        _("Intérêt légitime (sécurité) ; obligation de rendre compte à la Région."),
        _("Utilisateurs de Grappe."),
        _("E-mail, nom, rôle, jetons d'API, appareils de double authentification, journal d'audit."),
        _("Administrateurs du cluster."),
        _("Compte : jusqu'à sa fermeture ; journal : conservé, caviardé en cas d'effacement."),
        "accounts",
    ),
]
