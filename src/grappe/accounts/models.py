"""Users log in with their e-mail address and hold exactly one role."""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("role", User.Role.ADMIN)
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A login. The role says what the user may do; see ``grappe.accounts.permissions``."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("administrateur du cluster")
        STAFF = "staff", _("équipe du cluster")
        MEMBER = "member", _("utilisateur membre")
        OBSERVER = "observer", _("partenaire / observateur")

    email = models.EmailField(_("adresse e-mail"), unique=True)
    full_name = models.CharField(_("nom complet"), max_length=200, blank=True)
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    person = models.OneToOneField(
        "ecosystem.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
        verbose_name=_("personne"),
        help_text=_("Pour un utilisateur membre : la personne de l'écosystème qu'il représente."),
    )
    language = models.CharField(_("langue préférée"), max_length=2, default="fr")
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(
        _("accès à l'administration Django"),
        default=False,
        help_text=_("Donne accès au back-office Django : réservé aux administrateurs du cluster."),
    )
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_cluster_staff(self) -> bool:
        return self.is_active and self.role in (self.Role.ADMIN, self.Role.STAFF)

    @property
    def is_cluster_admin(self) -> bool:
        return self.is_active and self.role == self.Role.ADMIN

    @property
    def is_member_user(self) -> bool:
        return self.is_active and self.role == self.Role.MEMBER

    @property
    def is_observer(self) -> bool:
        return self.is_active and self.role == self.Role.OBSERVER


class ApiToken(models.Model):
    """A personal API token: only the SHA-256 of its secret is stored; the secret is shown once.

    The full token reads ``grp_<prefix>_<secret>``; ``prefix`` finds the row, the hash proves the secret.
    Scopes are ``<app>:read`` / ``<app>:write`` strings (see ``grappe.accounts.tokens.SCOPES``).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("utilisateur"))
    name = models.CharField(_("nom"), max_length=100, help_text=_("À quoi sert ce jeton, par exemple « site web »."))
    prefix = models.CharField(_("préfixe"), max_length=12, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("portées"), default=list, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def is_active_at(self, now: "dt.datetime") -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
