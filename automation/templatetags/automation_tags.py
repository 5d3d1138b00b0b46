from __future__ import annotations

from typing import Any

from django import template

from automation.services import macro_visible_qs

register = template.Library()


@register.simple_tag(takes_context=True)
def bulk_macros(context: dict[str, Any]) -> list[tuple[int, str]]:
    """The macros the signed-in agent may apply, for the selection bar (one query)."""
    request = context.get("request")
    return list(
        macro_visible_qs(user=getattr(request, "user", None)).order_by("name").values_list("pk", "name")
    )
