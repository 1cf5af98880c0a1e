"""What text we accept from outside, in one place for forms, the API, imports and commands.

PostgreSQL refuses NUL in text and JSON (the audit record of a search failed on it), encoders
refuse lone surrogates, and a line break in a name that ends up in a mail header makes every
message from that company fail with BadHeaderError. Everything else people type — Japanese in
full or half width, 髙 and 﨑, emoji — is accepted as typed.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 controls except tab, line feed and carriage return; DEL; C1 controls; lone surrogates
# (JSON can carry "\ud800", which no database or encoder accepts).
_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff"
_UNSAFE = re.compile(f"[{_CONTROL}]")
# For one-line values: the above plus tab and every Unicode line or paragraph break.
_NOT_ONE_LINE = re.compile(f"[{_CONTROL}\t\n\r\u2028\u2029]")

CONTROL_CHARACTER_MESSAGE = _("使用できない制御文字が含まれています。")
LINE_BREAK_MESSAGE = _("改行や制御文字は使えません。1行で入力してください。")


def has_unsafe_characters(value: str) -> bool:
    return bool(_UNSAFE.search(value))


def is_one_line(value: str) -> bool:
    return not _NOT_ONE_LINE.search(value)


def validate_text(value: str) -> None:
    """Free text (notes, descriptions): line breaks and tabs are fine, other controls are not."""
    if isinstance(value, str) and has_unsafe_characters(value):
        raise ValidationError(CONTROL_CHARACTER_MESSAGE, code="control_characters")


def validate_one_line(value: str) -> None:
    """Names, titles, search words: one line, no controls (a company name goes into the From header)."""
    if isinstance(value, str) and not is_one_line(value):
        raise ValidationError(LINE_BREAK_MESSAGE, code="line_break")


def one_line(value: str) -> str:
    """The value on one line: controls and line breaks become single spaces. For text that was
    stored before it was validated and must still fit into a header."""
    return " ".join(_NOT_ONE_LINE.sub(" ", value or "").split())
