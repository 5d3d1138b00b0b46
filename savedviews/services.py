"""Writes of saved views. Every input is validated before anything is written: a view with an
invalid filter, sort, column or name is refused whole, with the errors by field."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team, User
from helpdesk.errors import ApplicationError
from tickets.forms import QueueFilterForm
from tickets.workspace import DEFAULT_COLUMNS, QUEUE_COLUMNS

from .models import NAME_MAX, SavedView

NAME_REQUIRED = _("Give the view a name.")
NAME_TOO_LONG = _("At most %(max)s characters.")
NAME_TAKEN = _("You already have a view with this name.")
UNKNOWN_FILTER = _("Unknown filter.")
UNKNOWN_COLUMN = _("Unknown column: %(column)s.")
COLUMNS_REQUIRED = _("Choose at least one column.")
ONLY_SUPERVISORS_SHARE = _("Only supervisors can share views.")
NOT_YOURS = _("Only the owner of a view can change it.")

# The queue's filters a view can hold: every field of the queue's filter form but the paging ones.
FILTER_FIELDS = [name for name in QueueFilterForm.base_fields if name not in ("sort", "cursor")]
SORTS = [value for value, _label in QueueFilterForm.SORTS]


class SavedViewInvalid(ApplicationError):
    """400 with field errors, e.g. ``{"filters": {"tier": [...]}, "name": [...]}``."""

    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__(str(errors))
        self.errors = errors

    def as_dict(self) -> dict[str, Any]:
        return self.errors


def _as_form_value(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name == "tags" and isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def saved_view_filters_clean(*, filters: dict[str, Any], sort: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the filters as plain values, errors by field) for raw ``filters`` as the queue's query takes
    them (the requester by username, email or id; tags as a list or comma-separated)."""
    errors: dict[str, Any] = {}
    if not isinstance(filters, dict):
        return {}, {"filters": [str(UNKNOWN_FILTER)]}
    unknown = sorted(set(filters) - set(FILTER_FIELDS))
    data = {name: _as_form_value(name, value) for name, value in filters.items() if name in FILTER_FIELDS}
    data["tab"] = data.get("tab") or "open"  # a view's tab is explicit: "All open" unless chosen
    form = QueueFilterForm({**data, "sort": sort})
    if not form.is_valid():
        filter_errors = {name: list(errs) for name, errs in form.errors.items() if name != "sort"}
        if filter_errors:
            errors["filters"] = filter_errors
        if "sort" in form.errors:
            errors["sort"] = list(form.errors["sort"])
    if not sort:
        errors["sort"] = [str(_("This field is required."))]
    if unknown:
        errors.setdefault("filters", {}).update({name: [str(UNKNOWN_FILTER)] for name in unknown})
    return form.filters(), errors


def saved_view_columns_clean(columns: Iterable[str] | None) -> tuple[list[str], list[str]]:
    """(the columns in QUEUE_COLUMNS' order, errors)."""
    if columns is None:
        return list(DEFAULT_COLUMNS), []
    columns = [str(c) for c in columns]
    errors = [str(UNKNOWN_COLUMN % {"column": c}) for c in columns if c not in QUEUE_COLUMNS]
    if not columns:
        errors.append(str(COLUMNS_REQUIRED))
    return [key for key in QUEUE_COLUMNS if key in columns], errors


def _validated(
    *,
    owner: User,
    by: User,
    instance: SavedView | None,
    name: str,
    filters: dict[str, Any],
    sort: str,
    columns: Iterable[str] | None,
    teams: Iterable[Team] | None,
) -> dict[str, Any]:
    name = (name or "").strip()
    clean_filters, errors = saved_view_filters_clean(filters=filters, sort=sort)
    clean_columns, column_errors = saved_view_columns_clean(columns)
    if column_errors:
        errors["columns"] = column_errors
    if not name:
        errors["name"] = [str(NAME_REQUIRED)]
    elif len(name) > NAME_MAX:
        errors["name"] = [str(NAME_TOO_LONG % {"max": NAME_MAX})]
    elif SavedView.objects.filter(owner=owner, name=name).exclude(pk=getattr(instance, "pk", None)).exists():
        errors["name"] = [str(NAME_TAKEN)]
    teams = list(teams) if teams is not None else None
    if teams and not by.is_supervisor:
        errors["shared_with_teams"] = [str(ONLY_SUPERVISORS_SHARE)]
    if errors:
        raise SavedViewInvalid(errors)
    return {"name": name, "filters": clean_filters, "sort": sort, "columns": clean_columns, "teams": teams}


def _save(view: SavedView, values: dict[str, Any]) -> SavedView:
    view.name, view.filters, view.sort, view.columns = (
        values["name"],
        values["filters"],
        values["sort"],
        values["columns"],
    )
    view.updated_at = timezone.now()  # also what invalidates the view's cached counts
    try:
        with transaction.atomic():
            view.save()
            if values["teams"] is not None:
                view.shared_with_teams.set(values["teams"])
    except IntegrityError:  # the same name saved at the same moment by another request
        raise SavedViewInvalid({"name": [str(NAME_TAKEN)]}) from None
    return view


def saved_view_create(
    *,
    owner: User,
    name: str,
    filters: dict[str, Any] | None = None,
    sort: str = "newest",
    columns: Iterable[str] | None = None,
    shared_with_teams: Iterable[Team] | None = None,
) -> SavedView:
    """A view of the queue for ``owner`` (an agent); only a supervisor may share it with teams."""
    values = _validated(
        owner=owner,
        by=owner,
        instance=None,
        name=name,
        filters=filters or {},
        sort=sort,
        columns=columns,
        teams=shared_with_teams,
    )
    return _save(SavedView(owner=owner), values)


_UNSET: Any = object()


def saved_view_update(
    *,
    view: SavedView,
    by: User,
    name: str = _UNSET,
    filters: dict[str, Any] = _UNSET,
    sort: str = _UNSET,
    columns: Iterable[str] = _UNSET,
    shared_with_teams: Iterable[Team] | None = _UNSET,
) -> SavedView:
    """Changes what is given (rename, other filters, columns, sharing); only the owner may."""
    if view.owner_id != by.pk:
        raise PermissionDenied(NOT_YOURS)
    values = _validated(
        owner=view.owner,
        by=by,
        instance=view,
        name=view.name if name is _UNSET else name,
        filters=view.filters if filters is _UNSET else filters,
        sort=view.sort if sort is _UNSET else sort,
        columns=view.columns if columns is _UNSET else columns,
        teams=None if shared_with_teams is _UNSET else (shared_with_teams or []),
    )
    return _save(view, values)


def saved_view_delete(*, view: SavedView, by: User) -> None:
    if view.owner_id != by.pk:
        raise PermissionDenied(NOT_YOURS)
    view.delete()
