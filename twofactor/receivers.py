from __future__ import annotations

from typing import Any

from . import session


def on_user_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Every sign-in (password, or any other backend) starts with the second factor still to give."""
    if request is not None and hasattr(request, "session"):
        session.mark(request, session.state_at_sign_in(request, user))
