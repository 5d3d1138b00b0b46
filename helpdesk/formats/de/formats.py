"""German dates (settings.FORMAT_MODULE_PATH): one format per kind, the short and the long name alike.
docs/ui.md, "Dates"."""

DATE_FORMAT = SHORT_DATE_FORMAT = "d.m.Y"  # 02.12.2026
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "d.m.Y, H:i"  # 02.12.2026, 14:05
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j. F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1  # Monday
