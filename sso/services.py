"""Single sign-on's writes: just-in-time provisioning of the people a directory signs in, the group
mappings and the sign-in settings.

Every source (OIDC, LDAP, SAML) calls ``provision`` once the protocol library has checked the sign-in,
and signs the returned user in (``django.contrib.auth.login``), so our second factor still follows.

**Who is who.** A person is found by their identity at the source (``ExternalIdentity``: OIDC ``sub``,
LDAP username, SAML NameID), else by their email address when the source vouches for it
(``email_verified``) and that account has no other identity at the same source; else a new account
is made (a customer, with no usable password). Name and address are taken from the source at every
sign-in (an address another account already has is not taken).

**What the mapping owns.** The groups a person is in at the source give the highest role of their
mapped groups (supervisor above agent) and the union of the mapped teams. The mapping *owns* what it
changed: the role it raised (it remembers the role before) and the teams it made the person join. At
every sign-in it adds what the groups now grant and removes what it owns and the groups no longer grant;
it never lowers a role or removes a team a supervisor gave by hand. A supervisor's manual change of a
role the mapping set ends the mapping's ownership of it. Someone who ends up a customer leaves all
teams (customers are not members of teams). Superusers' roles are never touched.

**Refused.** A person the source reports as disabled (``active=False``), a local account that is
disabled, and, when the settings say so, a person in no mapped group, are refused; an existing
account then first loses what the mapping owns, so a disabled directory user is no longer staff even
if an old session or token lives on. Every sign-in, accepted or refused, is recorded (``SignIn``),
every change of role or teams by the mapping is in the audit log (with the source and the groups).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Team, User
from audit.services import audit_record
from helpdesk.errors import ApplicationError

from .models import ExternalIdentity, GroupMapping, SignIn, Source, SsoSettings, StaffRole
from .selectors import configured_sources, sso_settings_get

REFUSED_INACTIVE = _("Your account is disabled. Ask your administrator.")
REFUSED_UNMAPPED = _("Your account is not allowed to sign in here. Ask your administrator for access.")
REFUSED_CONFLICT = _(
    "An account with this email address is linked to another sign-in. Ask your administrator."
)
NO_SOURCE = _("Set up single sign-on first: with local passwords off, staff could not sign in at all.")
MAPPING_EXISTS = _("This group already has a mapping for this source.")
STAFF_PASSWORDS_OFF = _("Staff sign in with single sign-on, with their company account.")

_RANK = {User.Role.CUSTOMER: 0, User.Role.AGENT: 1, User.Role.SUPERVISOR: 2}


class SignInRefused(ApplicationError):
    status_code = 403


def _team_names(team_ids: Iterable[int]) -> list[str]:
    return sorted(str(t) for t in Team.objects.filter(pk__in=list(team_ids)))


def _username_for(email: str, external_id: str, source: str) -> str:
    base = email.split("@", 1)[0] if email else f"{source}-{external_id}"
    base = re.sub(r"[^\w.@+-]", "", base)[:140] or source
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}{n}"
    return name


def _split_name(full_name: str) -> tuple[str, str]:
    parts = (full_name or "").split(maxsplit=1)
    return (parts[0][:150] if parts else "", parts[1][:150] if len(parts) > 1 else "")


def _granted(source: str, groups: list[str]) -> tuple[str | None, set[int], list[GroupMapping]]:
    """The role and teams ``groups`` grant at ``source`` (no role: no mapped group)."""
    wanted = {g.strip().lower() for g in groups if g and g.strip()}
    if not wanted:
        return None, set(), []
    mappings = [
        m
        for m in GroupMapping.objects.filter(source=source).prefetch_related("teams")
        if m.group.strip().lower() in wanted
    ]
    role = None
    teams: set[int] = set()
    for m in mappings:
        if role is None or _RANK[m.role] > _RANK[role]:
            role = m.role
        teams |= {t.pk for t in m.teams.all()}
    return role, teams, mappings


def _apply(
    *, user: User, identity: ExternalIdentity, role: str | None, team_ids: set[int], groups: list[str]
) -> None:
    """Brings the person's role and teams in line with what the mapping grants (rules: module doc)."""
    current_role = user.role
    current_teams = set(user.teams.values_list("pk", flat=True))
    owns_role = bool(identity.granted_role) and identity.granted_role == current_role
    base = identity.role_before if owns_role else current_role
    granted_role, role_before = "", ""
    target = current_role
    if not user.is_superuser:
        if owns_role:
            target = role if role and _RANK[role] > _RANK[base] else base
        elif role and _RANK[role] > _RANK[current_role]:
            target = role
        if target != base:
            granted_role, role_before = target, base
    owned_teams = set(identity.granted_teams.values_list("pk", flat=True)) & current_teams
    manual_teams = current_teams - owned_teams
    if target == User.Role.CUSTOMER:
        target_teams, new_owned = set(), set()
    else:
        target_teams = manual_teams | team_ids
        new_owned = team_ids - manual_teams

    changed_role = target != current_role
    added, removed = target_teams - current_teams, current_teams - target_teams
    if changed_role or added or removed:
        before = {"teams": _team_names(current_teams)}
        after = {"teams": _team_names(target_teams)}
        if changed_role:
            before["role"], after["role"] = current_role, target
        # Written without model signals, so the audit log gets this one entry that says why.
        if changed_role:
            User.objects.filter(pk=user.pk).update(role=target)
            user.role = target
        through = User.teams.through
        if removed:
            through.objects.filter(user_id=user.pk, team_id__in=removed).delete()
        if added:
            through.objects.bulk_create([through(user_id=user.pk, team_id=t) for t in added])
        audit_record(
            action="updated",
            model="accounts.user",
            object_id=str(user.pk),
            object_repr=gettext("User #%(id)s") % {"id": user.pk},
            before=before,
            after=after,
            details={"sso_source": identity.source, "groups": sorted(groups)[:50]},
            actor=None,
        )
    identity.granted_role, identity.role_before = granted_role, role_before
    identity.groups = sorted(groups)[:200]
    identity.save(update_fields=["granted_role", "role_before", "groups"])
    identity.granted_teams.set(new_owned)


def _find(*, source: str, external_id: str, email: str, email_verified: bool) -> tuple[User | None, bool]:
    """The person (or None) and whether the address belongs to another identity at this source."""
    identity = (
        ExternalIdentity.objects.select_related("user").filter(source=source, external_id=external_id).first()
    )
    if identity is not None:
        return identity.user, False
    if not email or not email_verified:
        return None, False
    users = list(User.objects.filter(email__iexact=email)[:2])
    if len(users) != 1:
        return None, len(users) > 1
    user = users[0]
    if ExternalIdentity.objects.filter(user=user, source=source).exists():
        return None, True
    return user, False


def _record(*, source: str, user: User | None, outcome: str, created: bool = False) -> None:
    SignIn.objects.create(source=source, user=user, outcome=outcome, created=created)


def provision(
    *,
    source: str,
    external_id: str,
    email: str,
    full_name: str,
    groups: Iterable[str],
    active: bool = True,
    email_verified: bool = True,
) -> User:
    """The account of a person the source has just signed in, made or brought up to date; raises
    ``SignInRefused`` (its message is for the person) when they may not sign in. Rules: module doc."""
    if source not in Source.values:
        raise ValueError(f"unknown source {source!r}")
    external_id = str(external_id).strip()
    if not external_id:
        raise ValueError("external_id is required")
    email = (email or "").strip().lower()
    groups = [str(g) for g in groups if str(g).strip()]
    args = {
        "source": source,
        "external_id": external_id,
        "email": email,
        "full_name": full_name,
        "groups": groups,
        "active": active,
        "email_verified": email_verified,
    }
    try:
        refusal = _provision(**args)
    except IntegrityError:
        # Two first sign-ins of one person at once (two tabs): the other made the account; find it.
        refusal = _provision(**args)
    if isinstance(refusal, User):
        return refusal
    raise SignInRefused(str(refusal))


@transaction.atomic
def _provision(
    *,
    source: str,
    external_id: str,
    email: str,
    full_name: str,
    groups: list[str],
    active: bool,
    email_verified: bool,
) -> User | Any:
    user, conflict = _find(source=source, external_id=external_id, email=email, email_verified=email_verified)
    if conflict:
        _record(source=source, user=None, outcome=SignIn.Outcome.CONFLICT)
        return REFUSED_CONFLICT
    if user is not None:
        user = User.objects.select_for_update().get(pk=user.pk)
    role, team_ids, _mappings = _granted(source, groups)
    settings_row = sso_settings_get()
    refusal = None
    if not active or (user is not None and not user.is_active):
        refusal, outcome = REFUSED_INACTIVE, SignIn.Outcome.INACTIVE
    elif role is None and settings_row.unmapped == SsoSettings.Unmapped.REFUSE:
        refusal, outcome = REFUSED_UNMAPPED, SignIn.Outcome.UNMAPPED
    if refusal is not None:
        if user is not None:
            identity = ExternalIdentity.objects.filter(user=user, source=source).first()
            if identity is not None:
                _apply(user=user, identity=identity, role=None, team_ids=set(), groups=groups)
        _record(source=source, user=user, outcome=outcome)
        return refusal

    first, last = _split_name(full_name)
    created = user is None
    if created:
        # An address another account has stays with it (here only when the source did not vouch for it).
        taken = bool(email) and User.objects.filter(email__iexact=email).exists()
        user = User(
            username=_username_for(email, external_id, source),
            email="" if taken else email,
            first_name=first,
            last_name=last,
            role=User.Role.CUSTOMER,
        )
        user.set_unusable_password()
        user.save()
    else:
        fields = []
        if full_name and (user.first_name, user.last_name) != (first, last):
            user.first_name, user.last_name = first, last
            fields += ["first_name", "last_name"]
        if (
            email
            and email_verified
            and email != user.email.lower()
            and not User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists()
        ):
            user.email = email
            fields.append("email")
        if fields:
            user.save(update_fields=fields)
    identity, _new = ExternalIdentity.objects.get_or_create(
        source=source, external_id=external_id, defaults={"user": user}
    )
    if identity.user_id != user.pk:  # a parallel first sign-in linked it meanwhile: undo ours, retry
        raise IntegrityError("identity linked by a parallel sign-in")
    _apply(user=user, identity=identity, role=role, team_ids=team_ids, groups=groups)
    identity.last_sign_in_at = timezone.now()
    identity.save(update_fields=["last_sign_in_at"])
    _record(source=source, user=user, outcome=SignIn.Outcome.OK, created=created)
    return user


# --- configuration (the supervisors' page) -------------------------------------------------------


@transaction.atomic
def group_mapping_save(
    *,
    mapping: GroupMapping | None = None,
    source: str,
    group: str,
    role: str,
    teams: Iterable[Team],
) -> GroupMapping:
    """Creates or changes a mapping (recorded in the audit log through its registration)."""
    group = group.strip()
    clash = GroupMapping.objects.filter(source=source, group__iexact=group)
    if mapping is not None:
        clash = clash.exclude(pk=mapping.pk)
    if clash.exists():
        raise ApplicationError(str(MAPPING_EXISTS), field="group")
    if role not in StaffRole.values:
        raise ApplicationError("unknown role", field="role")
    mapping = mapping or GroupMapping()
    mapping.source, mapping.group, mapping.role = source, group, role
    mapping.save()
    mapping.teams.set(list(teams))
    return mapping


def group_mapping_delete(*, mapping: GroupMapping) -> None:
    """The mapping goes; people keep what it granted until their next sign-in."""
    mapping.delete()


@transaction.atomic
def sso_settings_update(*, staff_passwords_off: bool, unmapped: str) -> SsoSettings:
    row = SsoSettings.objects.select_for_update().get(pk=sso_settings_get().pk)
    if staff_passwords_off and not row.staff_passwords_off and not configured_sources():
        raise ApplicationError(str(NO_SOURCE), field="staff_passwords_off")
    row.staff_passwords_off = staff_passwords_off
    row.unmapped = unmapped
    row.save()
    return row
