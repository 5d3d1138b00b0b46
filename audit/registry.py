"""One registry of the models whose changes the audit log records.

Register a model once, from its app's ``AppConfig.ready()`` (or ``audit.registrations`` for the core
ones): ``registry.register(Webhook, secret=["secret"])``. Saves and deletes of registered models are
then recorded by the signal receivers below, whoever writes them (a service, a form, the Django admin,
a command), with the actor from ``audit.context``. Only the tracked fields are compared; a save that
changes none of them writes nothing.

Not seen: ``QuerySet.update()``, ``bulk_create`` and raw SQL (no signals). Services that change
configuration that way go through ``audit.services.audit_queryset_update`` / ``audit_bulk_created``
(the SLA default switch, rule reordering, a tier's default team, a primary organisation, a calendar's
custom days); ``tests/audit/test_bulk_updates.py`` fails when a new such call on a registered model
appears outside them.

Why not django-auditlog (or django-simple-history / django-pghistory)? auditlog was the closest fit
(a registry, an actor middleware, JSON changes), but: its entries know only create / update /
delete / access, while exports, erasures and retention runs are first-class entries here with their
own details; it stores changed values as strings, where we keep before/after as JSON; it ships a
command (``auditlogflush``) and an option (``delete_related``) that delete entries, which an
append-only log must not have; and its table is another app's migration history to which we would
add our PostgreSQL trigger. simple-history keeps one history table per model (a migration in every
app, none in one log) and pghistory works on PostgreSQL only (we also run on SQLite). So: this file,
~150 lines.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils.translation import gettext

SECRET_MASK = "••••••"


@dataclass(frozen=True)
class Registration:
    model: type[models.Model]
    fields: tuple[str, ...]  # attnames of the tracked concrete fields ("team_id" for a foreign key)
    m2m: tuple[str, ...]
    secret: frozenset[str]
    repr: Callable[[models.Model], str]
    log_create: Callable[[models.Model], bool]
    # attname -> how a recorded value reads on the page (e.g. a rule's actions in words).
    describe: dict[str, Callable[[Any], Any]]


_registry: dict[type[models.Model], Registration] = {}


def register(
    model: type[models.Model],
    *,
    fields: list[str] | None = None,
    exclude: list[str] | tuple[str, ...] = (),
    m2m: list[str] | tuple[str, ...] = (),
    secret: list[str] | tuple[str, ...] = (),
    repr: Callable[[models.Model], str] | None = None,  # noqa: A002 - the registration's word for it
    log_create: Callable[[models.Model], bool] | None = None,
    describe: dict[str, Callable[[Any], Any]] | None = None,
) -> None:
    """Record changes of ``model``. ``fields``: the tracked fields (default: all concrete ones but
    the primary key and ``exclude``); ``secret``: recorded as changed, never with their values;
    ``repr``: the object's name in the log (must hold no personal data); ``log_create``: whether a
    new row is worth an entry (e.g. not every customer's sign-up)."""
    concrete = [f for f in model._meta.concrete_fields if not f.primary_key]
    chosen = [f for f in concrete if (fields is None or f.name in fields) and f.name not in exclude]
    _registry[model] = Registration(
        model=model,
        fields=tuple(f.attname for f in chosen),
        m2m=tuple(m2m),
        secret=frozenset(model._meta.get_field(n).attname for n in secret),
        repr=repr or str,
        log_create=log_create or (lambda _obj: True),
        describe=dict(describe or {}),
    )
    # Connected per model: a post_delete receiver for every sender would turn off Django's fast
    # (set-based) deletes of every model in the project.
    uid = f"audit-{model._meta.label_lower}"
    pre_save.connect(_pre_save, sender=model, dispatch_uid=uid)
    post_save.connect(_post_save, sender=model, dispatch_uid=uid)
    post_delete.connect(_post_delete, sender=model, dispatch_uid=uid)
    for name in m2m:
        m2m_changed.connect(
            _m2m_changed,
            sender=model._meta.get_field(name).remote_field.through,
            dispatch_uid=f"{uid}-{name}",
        )


def registration_for(model: type[models.Model]) -> Registration | None:
    return _registry.get(model)


def _model_name(model: type[models.Model]) -> str:
    # "SLA policy" stays "SLA-Richtlinie" (not str.capitalize()'s "Sla-richtlinie"); a name Django
    # made from the class ("rule") is looked up as "Rule" in the catalogues.
    name = str(model._meta.verbose_name)
    name = name[:1].upper() + name[1:]
    return gettext(name)


def registered_models() -> list[tuple[str, str]]:
    """(label, verbose name) of every registered model, for the page's filter."""
    return sorted(((m._meta.label_lower, _model_name(m)) for m in _registry), key=lambda pair: pair[1])


def model_verbose_name(label: str) -> str | None:
    for m in _registry:
        if m._meta.label_lower == label:
            return _model_name(m)
    return None


def _field(label: str, attname: str) -> models.Field | None:
    for m in _registry:
        if m._meta.label_lower == label:
            for f in [*m._meta.concrete_fields, *m._meta.many_to_many]:
                if attname in (f.attname, f.name):
                    return f
    return None


def field_verbose_name(label: str, attname: str) -> str:
    f = _field(label, attname)
    # A name Django made from the attribute ("role") is looked up as "Role" in the catalogues.
    if f is None:
        return attname
    name = str(f.verbose_name)
    return gettext(name[:1].upper() + name[1:])


def field_value_label(label: str, attname: str, value: Any) -> Any:
    """A recorded value as the reader knows it: a choice's label instead of its code, a related
    object's name (a person's current display name) instead of its id, a registered description."""
    if value is None or value == "":
        return value
    for m, reg in _registry.items():
        if m._meta.label_lower == label and attname in reg.describe:
            try:
                return reg.describe[attname](value)
            except (KeyError, TypeError, ValueError):  # an old entry in a shape no longer known
                return value
    f = _field(label, attname)
    if f is not None and f.choices and not isinstance(value, list | dict):
        return dict(f.flatchoices).get(value, value)
    if f is not None and f.many_to_one and isinstance(value, int):
        return _related_name(f.related_model, value)
    return value


def _related_name(model: type[models.Model], pk: int) -> str:
    obj = model._base_manager.filter(pk=pk).first()
    if obj is None:
        return f"#{pk}"
    if model is get_user_model():
        from tickets.templatetags.helpdesk_ui import display_name

        return display_name(obj)
    return str(obj)


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _row(reg: Registration, instance: models.Model) -> dict[str, Any]:
    return {name: _json(getattr(instance, name)) for name in reg.fields}


def _masked(reg: Registration, values: dict[str, Any]) -> dict[str, Any]:
    return {k: (SECRET_MASK if k in reg.secret and v not in ("", None) else v) for k, v in values.items()}


def _m2m_names(instance: models.Model, field: str) -> list[str]:
    return sorted(str(o) for o in getattr(instance, field).all())


def _repr(reg: Registration, instance: models.Model) -> str:
    try:
        return reg.repr(instance)
    except (TypeError, ValueError):  # e.g. a date still a string before the row is read back: by its id
        return f"{instance._meta.verbose_name} #{instance.pk}"


def _record(reg: Registration, instance: models.Model, action: str, before: Any, after: Any) -> None:
    from .services import audit_record

    audit_record(
        action=action,
        model=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=_repr(reg, instance)[:200],
        before=before,
        after=after,
    )


def _pre_save(sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    reg = _registry.get(sender)
    if reg is None or raw or instance._state.adding or instance.pk is None:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None:
        attnames = {sender._meta.get_field(n).attname for n in update_fields}
        if not attnames & set(reg.fields):
            return  # e.g. a sign-in's last_login: nothing tracked changes, no query
    old = sender._base_manager.filter(pk=instance.pk).values(*reg.fields).first()
    instance._audit_before = {k: _json(v) for k, v in old.items()} if old is not None else None


def _post_save(
    sender: type[models.Model], instance: models.Model, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    reg = _registry.get(sender)
    if reg is None or raw:
        return
    if created:
        if reg.log_create(instance):
            _record(reg, instance, "created", None, _masked(reg, _row(reg, instance)))
        return
    old = instance.__dict__.pop("_audit_before", None)
    if old is None:
        return
    new = _row(reg, instance)
    changed = [k for k in reg.fields if old.get(k) != new.get(k)]
    if changed:
        _record(
            reg,
            instance,
            "updated",
            _masked(reg, {k: old.get(k) for k in changed}),
            _masked(reg, {k: new[k] for k in changed}),
        )


def _post_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    reg = _registry.get(sender)
    if reg is not None:
        _record(reg, instance, "deleted", _masked(reg, _row(reg, instance)), None)


def record_values_changed(instance: models.Model, values: dict[str, Any]) -> None:
    """An "updated" entry for ``instance`` (as read before) getting ``values`` by a ``QuerySet.update``."""
    reg = _registry.get(type(instance))
    if reg is None:
        return
    old = _row(reg, instance)
    for name, value in values.items():
        if isinstance(value, models.Model):
            value = value.pk
        setattr(instance, instance._meta.get_field(name).attname, value)
    new = _row(reg, instance)
    changed = [k for k in reg.fields if old.get(k) != new.get(k)]
    if changed:
        _record(
            reg,
            instance,
            "updated",
            _masked(reg, {k: old[k] for k in changed}),
            _masked(reg, {k: new[k] for k in changed}),
        )


def record_created(instance: models.Model) -> None:
    """A "created" entry for a row written without signals (``bulk_create``)."""
    reg = _registry.get(type(instance))
    if reg is not None and reg.log_create(instance):
        _record(reg, instance, "created", None, _masked(reg, _row(reg, instance)))


def _m2m_field(sender: type[models.Model], model: type[models.Model]) -> tuple[Registration, str] | None:
    reg = _registry.get(model)
    if reg is None:
        return None
    for name in reg.m2m:
        if model._meta.get_field(name).remote_field.through is sender:
            return reg, name
    return None


def _m2m_changed(
    sender: type[models.Model],
    instance: models.Model,
    action: str,
    reverse: bool,
    model: type[models.Model],
    pk_set: set[Any] | None,
    **kwargs: Any,
) -> None:
    if reverse:
        # e.g. team.members.add(user): the registered side is each of the users.
        found = _m2m_field(sender, model)
        if found is None or not pk_set:
            return
        reg, name = found
        objects = list(model._base_manager.filter(pk__in=pk_set))
    else:
        found = _m2m_field(sender, type(instance))
        if found is None:
            return
        reg, name = found
        objects = [instance]
    if action.startswith("pre_"):
        for obj in objects:
            pending = instance.__dict__.setdefault("_audit_m2m", {})
            pending[(obj.pk, name)] = _m2m_names(obj, name)
        return
    if not action.startswith("post_"):
        return
    pending = instance.__dict__.get("_audit_m2m", {})
    for obj in objects:
        old = pending.pop((obj.pk, name), None)
        new = _m2m_names(obj, name)
        if old is not None and old != new:
            _record(reg, obj, "updated", {name: old}, {name: new})
