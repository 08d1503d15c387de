"""Member portal: the colleagues' access to an organisation's member space.

Rule (COLLEAGUES): every member user acting for an organisation (current affiliation) may invite a
colleague, see who has access and revoke a colleague's access; the User model has no "organisation
manager" notion, so there is no finer role. Staff may do the same for any organisation. A member
never revokes themselves, never touches staff, observers or users of another organisation (404),
and cannot revoke a colleague who also acts for another organisation (that one goes to the staff).

An invitation creates (or links) a member user without a usable password and e-mails a one-time
set-password link made with Django's password reset tokens (valid PASSWORD_RESET_TIMEOUT, void once
the password is set or the access revoked). Revoking deactivates the user; the person's affiliation,
a fact of the CRM, stays. Every action is audited.
"""

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.tasks import task
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from grappe.accounts import permissions
from grappe.accounts.models import User
from grappe.core.audit import audit_log
from grappe.ecosystem import services
from grappe.ecosystem.models import Affiliation, Organisation, Person
from grappe.ecosystem.selectors import current


def current_organisation_ids(person_id: int | None) -> set[int]:
    if not person_id:
        return set()
    return set(current(Affiliation.objects.filter(person_id=person_id)).values_list("organisation_id", flat=True))


def colleague_users(organisation: Organisation) -> list[User]:
    """Member users (active or not) whose person has a current affiliation to the organisation."""
    person_ids = current(Affiliation.objects.filter(organisation=organisation)).values_list("person_id", flat=True)
    users = list(
        User.objects.filter(role=User.Role.MEMBER, person_id__in=person_ids)
        .select_related("person")
        .order_by("full_name", "email")
    )
    functions = dict(
        current(Affiliation.objects.filter(organisation=organisation)).values_list("person_id", "function")
    )
    for user in users:
        user.function = functions.get(user.person_id, "")
        user.pending = user.is_active and not user.has_usable_password() and user.last_login is None
    return users


def invitation_path(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("ecosystem:portal_invitation", args=[uid, default_token_generator.make_token(user)])


# --- services ---------------------------------------------------------------------------------------


@transaction.atomic
def colleague_invite(
    *, actor: Any, organisation: Organisation, email: str, first_name: str, last_name: str, function: str = ""
) -> User:
    """Create or link a member user of ``organisation`` and e-mail them a set-password link.

    Raises ValidationError (nothing changed) for an address of staff/observer, of a user of another
    organisation, or of a colleague who already has access or a pending invitation.
    """
    email = email.strip().lower()
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    if user is not None:
        if user.role != User.Role.MEMBER:
            raise ValidationError(_("Cette adresse appartient à un compte qui ne peut pas être invité comme collègue."))
        orgs = current_organisation_ids(user.person_id)
        if orgs and organisation.pk not in orgs:
            raise ValidationError(
                _("Cette adresse appartient à un utilisateur d'une autre organisation : contactez l'équipe du cluster.")
            )
        if organisation.pk in orgs and user.is_active:
            if not user.has_usable_password() and user.last_login is None:
                raise ValidationError(_("Une invitation est déjà en attente pour cette adresse."))
            raise ValidationError(_("Cette personne a déjà accès à l'espace membre de l'organisation."))
        action = "accounts.user.reinvited" if orgs else "accounts.user.linked"
        if not orgs:
            person = user.person or _person_for(email, first_name, last_name, organisation)
            _ensure_affiliation(actor, person, organisation, email, function)
            user.person = person
        user.is_active = True  # an existing password stays valid; the link lets them choose a new one
        user.save()
    else:
        person = _person_for(email, first_name, last_name, organisation)
        _ensure_affiliation(actor, person, organisation, email, function)
        user = User.objects.create_user(
            email=email, password=None, role=User.Role.MEMBER, person=person, full_name=f"{person}"
        )
        action = "accounts.user.invited"
    audit_log(
        actor=actor,
        action=action,
        obj=user,
        organisation_id=organisation.pk,
        changes={"email": [None, user.email], "organisation": [None, str(organisation)]},
    )
    user_id, organisation_id = user.pk, organisation.pk
    inviter = str(actor) if actor is not None else ""
    transaction.on_commit(lambda: send_colleague_invitation.enqueue(user_id, organisation_id, inviter))
    return user


def _person_for(email: str, first_name: str, last_name: str, organisation: Organisation) -> Person:
    """The person to give access: one already affiliated to the organisation with this address and no
    user, else a person with this address and no current affiliation elsewhere, else a new person."""
    free = Person.objects.filter(erased_at__isnull=True, user__isnull=True)
    here = current(Affiliation.objects.filter(organisation=organisation)).filter(
        Q(email__iexact=email) | Q(person__email__iexact=email)
    )
    person = free.filter(pk__in=here.values_list("person_id", flat=True)).first()
    if person is not None:
        return person
    for candidate in free.filter(email__iexact=email):
        if current_organisation_ids(candidate.pk) - {organisation.pk}:
            raise ValidationError(
                _("Cette adresse appartient à un contact d'une autre organisation : contactez l'équipe du cluster.")
            )
        return candidate
    if not first_name.strip() or not last_name.strip():
        raise ValidationError(_("Indiquez le prénom et le nom de la personne invitée."))
    return services.person_create(actor=None, first_name=first_name.strip(), last_name=last_name.strip(), email=email)


def _ensure_affiliation(actor: Any, person: Person, organisation: Organisation, email: str, function: str) -> None:
    if not current(Affiliation.objects.filter(person=person, organisation=organisation)).exists():
        services.affiliation_create(
            actor=actor,
            person=person,
            organisation=organisation,
            function=function.strip(),
            email=email,
            start_date=dt.date.today(),
        )


@transaction.atomic
def colleague_revoke(*, actor: Any, organisation: Organisation, user: User) -> User:
    """Deactivate a colleague's login. ValidationError when the actor is the colleague, or when a member
    actor would cut the access of someone who also acts for another organisation."""
    if actor is not None and actor.pk == user.pk:
        raise ValidationError(_("Vous ne pouvez pas révoquer votre propre accès."))
    if not permissions.is_staff(actor) and current_organisation_ids(user.person_id) - {organisation.pk}:
        raise ValidationError(
            _("Cette personne agit aussi pour une autre organisation : demandez à l'équipe du cluster.")
        )
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit_log(
            actor=actor,
            action="accounts.user.access_revoked",
            obj=user,
            organisation_id=organisation.pk,
            changes={"is_active": [True, False]},
        )
    return user


@task()
def send_colleague_invitation(user_id: int, organisation_id: int, inviter: str = "") -> int:
    """E-mail the invitation with its one-time set-password link; 0 when the user is gone or inactive."""
    from django.core.mail import EmailMessage

    user = User.objects.filter(pk=user_id, is_active=True).first()
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if user is None or organisation is None:
        return 0
    link = settings.SITE_URL.rstrip("/") + invitation_path(user)
    with translation.override(user.language or settings.LANGUAGE_CODE):
        EmailMessage(
            subject=_("Grappe : invitation à l'espace membre de %(org)s") % {"org": organisation},
            body=_(
                "Bonjour,\n\n%(inviter)s vous invite à rejoindre l'espace membre de %(org)s sur Grappe.\n\n"
                "Choisissez votre mot de passe avec ce lien (valable %(days)s jours, une seule fois) :\n%(link)s\n\n"
                "Votre identifiant est votre adresse e-mail : %(email)s"
            )
            % {
                "inviter": inviter or _("L'équipe du cluster"),
                "org": organisation,
                "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
                "link": link,
                "email": user.email,
            },
            to=[user.email],
        ).send()
    return 1


# --- forms and views ---------------------------------------------------------------------------------


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Adresse e-mail"), max_length=254)
    first_name = forms.CharField(label=gettext_lazy("Prénom"), max_length=100, required=False)
    last_name = forms.CharField(label=gettext_lazy("Nom"), max_length=100, required=False)
    function = forms.CharField(label=gettext_lazy("Fonction"), max_length=160, required=False)


def _organisation(request: HttpRequest, pk: int) -> Organisation:
    if not request.user.is_authenticated:
        raise PermissionDenied
    organisation = get_object_or_404(Organisation, pk=pk)
    if not permissions.can_manage_colleagues(request.user, organisation):
        if permissions.is_member_user(request.user):
            raise Http404  # another organisation's existence does not leak
        raise PermissionDenied
    return organisation


@permissions.login_required
def colleagues(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, pk)
    form = InviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user = colleague_invite(actor=request.user, organisation=organisation, **form.cleaned_data)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("Invitation envoyée à %(email)s : le lien lui permet de choisir son mot de passe.")
                    % {"email": user.email},
                )
                return redirect("ecosystem:portal_colleagues", organisation.pk)
        status = 400
    context = {
        "organisation": organisation,
        "colleagues": colleague_users(organisation),
        "form": form,
        "me": request.user,
    }
    return render(request, "ecosystem/portal_colleagues.html", context, status=status)


@permissions.login_required
@require_POST
def colleague_revoke_view(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    organisation = _organisation(request, pk)
    target = next((u for u in colleague_users(organisation) if u.pk == user_pk), None)
    if target is None:
        raise Http404
    try:
        colleague_revoke(actor=request.user, organisation=organisation, user=target)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("L'accès de %(name)s est révoqué.") % {"name": target})
    return redirect("ecosystem:portal_colleagues", organisation.pk)


def invitation_accept(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Public: the invited colleague chooses a password (one-time link)."""
    try:
        user_pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError, OverflowError):
        user_pk = None
    user = User.objects.filter(pk=user_pk, is_active=True, role=User.Role.MEMBER).first() if user_pk else None
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "ecosystem/portal_invitation.html", {"invalid": True}, status=404)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit_log(actor=user, action="accounts.user.invitation_accepted", obj=user)
        messages.success(request, _("Votre mot de passe est enregistré : connectez-vous avec votre adresse e-mail."))
        return redirect(settings.LOGIN_URL)
    status = 400 if request.method == "POST" else 200
    return render(request, "ecosystem/portal_invitation.html", {"form": form, "invited": user}, status=status)
