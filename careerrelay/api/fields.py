"""Field types for the API's input schemas, so that no value a client can send reaches the
database or a mail header in a form they refuse: every such value is a 422 naming the field.

- `Text`: free text without control characters (line breaks allowed), `OneLine`: a name or
  search word (no line breaks either) — PostgreSQL refuses NUL, headers refuse line breaks.
- `Id` / `PageNumber`: integers that fit the database's 64-bit columns and offsets.
- `BoundedDate` / `BoundedDateTime`: within years 1900–2100, so converting between time zones
  never overflows (`9999-12-31T23:59:59-23:59` is past the last datetime Python has in UTC).
"""

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from careerrelay.common.forms import EARLIEST_DATE, LATEST_DATE
from careerrelay.common.http import DB_INT_MAX, MAX_PAGE
from careerrelay.common.text import has_unsafe_characters, is_one_line


def _text(value: str) -> str:
    if has_unsafe_characters(value):
        raise ValueError("must not contain control characters (such as NUL)")
    return value


def _one_line(value: str) -> str:
    if not is_one_line(value):
        raise ValueError("must be one line without control characters")
    return value


def _bounded_date(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}")
    return value


def _bounded_datetime(value: datetime) -> datetime:
    # Judged in the offset it was given in, before any conversion that could overflow.
    _bounded_date(value.date())
    return value


Text = Annotated[str, AfterValidator(_text)]
OneLine = Annotated[str, AfterValidator(_one_line)]
Id = Annotated[int, Field(ge=1, le=DB_INT_MAX)]
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE)]
BoundedDate = Annotated[date, AfterValidator(_bounded_date)]
BoundedDateTime = Annotated[datetime, AfterValidator(_bounded_datetime)]
