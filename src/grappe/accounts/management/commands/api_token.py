"""`grappe api_token create EMAIL --scopes ecosystem:read ... [--name N] [--days D]`; `list EMAIL`; `revoke PREFIX`."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from grappe.accounts import tokens
from grappe.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Crée, liste ou révoque des jetons d'API personnels."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Créer un jeton (affiché une seule fois).")
        create.add_argument("email")
        create.add_argument("--scopes", nargs="+", required=True, help=f"parmi : {' '.join(tokens.SCOPES)}")
        create.add_argument("--name", default="CLI")
        create.add_argument("--days", type=int, default=None, help="validité en jours (défaut : sans expiration)")
        listing = sub.add_parser("list", help="Lister les jetons d'un utilisateur.")
        listing.add_argument("email")
        revoke = sub.add_parser("revoke", help="Révoquer un jeton par son préfixe.")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "revoke":
            token = ApiToken.objects.filter(prefix=options["prefix"]).first()
            if token is None:
                raise CommandError(f"préfixe : aucun jeton « {options['prefix']} ».")
            tokens.token_revoke(actor=None, token=token)
            self.stdout.write(f"revoked {token.prefix}")
            return
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"e-mail : aucun utilisateur « {options['email']} ».")
        if action == "list":
            for t in tokens.user_tokens(user):
                state = "revoked" if t.revoked_at else ("expired" if not t.is_active_at(timezone.now()) else "active")
                self.stdout.write(f"{t.prefix}\t{t.name}\t{','.join(t.scopes)}\t{state}")
            return
        days = options["days"]
        if days is not None and days < 1:
            raise CommandError("--days : au moins 1.")
        expires_at = timezone.now() + dt.timedelta(days=days) if days else None
        try:
            _token, plaintext = tokens.token_create(
                actor=None, user=user, name=options["name"], scopes=options["scopes"], expires_at=expires_at
            )
        except tokens.TokenError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(plaintext)
