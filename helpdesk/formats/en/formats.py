"""English dates (settings.FORMAT_MODULE_PATH): one format per kind on every page and in every mail, the
short and the long name alike; 24-hour times, as the helpdesk's customers and agents work in Europe
(and Django's "9 a.m." ended sentences with a double dot). docs/ui.md, "Dates"."""

DATE_FORMAT = SHORT_DATE_FORMAT = "j M Y"  # 2 Dec 2026
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "j M Y, H:i"  # 2 Dec 2026, 14:05
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "M Y"
FIRST_DAY_OF_WEEK = 1  # Monday
