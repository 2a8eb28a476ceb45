"""Publication dates as news sources write them, normalised to an ISO 8601 calendar date.

Only the day is kept (`YYYY-MM-DD`, the date as the source wrote it, no time-zone shift): reports
group by day, week, month or year, and a time of day would only invite false precision. Formats:
ISO 8601 (`2024-03-05`, `2024-03-05T14:00:00Z`), RFC 2822 (`Tue, 05 Mar 2024 14:00:00 GMT`, RSS
feeds) and written dates (`March 5, 2024`, `5 March 2024`, `05.03.2024`) through dateparser, with
relative dates ("2 days ago") and dates missing a day, month or year refused: they would depend on
when the file is read, or claim a day nobody gave.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import re

# dateparser's parsers that read a date written out in full; "relative-time" and "timestamp" left
# out on purpose (see the module docstring).
_PARSERS = ("custom-formats", "absolute-time")
_NUMERIC = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-]\d{2,4}")


class DateProblem(ValueError):
    """A date that cannot be read; the message says what was given and what would work."""


def normalise_date(value: str) -> str:
    """`value` as `YYYY-MM-DD`, or raise DateProblem."""
    text = " ".join(str(value).split())
    if not text:
        raise DateProblem("the date is empty")
    numeric = _NUMERIC.fullmatch(text)
    if numeric and numeric[1] != numeric[2] and max(int(numeric[1]), int(numeric[2])) <= 12:
        raise DateProblem(f"the date {text!r} is ambiguous (day and month could be swapped); "
                          "write it as YYYY-MM-DD")
    parsed = _iso(text) or _rfc2822(text) or _written(text)
    if parsed is None:
        raise DateProblem(f"cannot read the date {text[:60]!r}; write it as YYYY-MM-DD "
                          "(or e.g. 'March 5, 2024', 'Tue, 05 Mar 2024 14:00:00 GMT')")
    if not 1000 <= parsed.year <= 2999:
        raise DateProblem(f"the date {text[:60]!r} has an implausible year {parsed.year}")
    return parsed.isoformat()


def _iso(text: str) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(text.replace(" ", "T", 1) if len(text) > 10 else text).date()
    except ValueError:
        return None


def _rfc2822(text: str) -> dt.date | None:
    try:
        return email.utils.parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


def _written(text: str) -> dt.date | None:
    parsed = _dateparser()(text, settings={
        "STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"],
        "PARSERS": list(_PARSERS), "RETURN_AS_TIMEZONE_AWARE": False})
    return parsed.date() if parsed else None


@functools.cache
def _dateparser():
    """dateparser.parse, imported on first use: it takes a moment to load its language data."""
    import dateparser

    return functools.partial(dateparser.parse, languages=["en"])
