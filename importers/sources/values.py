"""Reading a source's raw values into the records' types, noting what is broken instead of raising."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from importers.records import Problem


def parse_time(value: object, problems: list[Problem], what: str, *, tz: tzinfo = UTC) -> datetime | None:
    """An aware datetime from an ISO 8601 text (``Z`` allowed), a naive ``datetime`` (in ``tz``)
    or a Unix timestamp. A value that is none of these adds a ``bad_date`` problem."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            pass
    elif isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.year > 1900:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
    problems.append(Problem("bad_date", f"{what} {value!r}"))
    return None


def language(locale: object) -> str:
    """``de-de`` / ``de_DE`` / ``en-us`` → ``de`` / ``en``; ``""`` when unknown."""
    text = str(locale or "").strip().lower().replace("_", "-")
    return text.split("-")[0] if text else ""


def decode(value: bytes | str | None, problems: list[Problem], what: str) -> str:
    """Text from bytes that should be UTF-8; bytes that are not add a ``bad_encoding`` problem."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        return bytes(value).decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem("bad_encoding", f"{what}: {exc.reason} at byte {exc.start}"))
        return ""
