from __future__ import annotations

from typing import Any


def customer_created(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """Every way a customer comes to be (sign-up, mail-in, an agent's phone log, the API, the admin)
    saves a new ``User``: the email domain's organisation takes them in."""
    if not created or raw or not instance.is_customer or not instance.email:
        return
    from .services import membership_by_domain

    membership_by_domain(user=instance)
