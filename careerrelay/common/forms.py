from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from careerrelay.common.japanese import normalize_email
from careerrelay.common.text import validate_one_line


class NormalizedEmailField(forms.EmailField):
    """Folds full-width and upper-case addresses (ＴＡＲＯ＠ｅｘａｍｐｌｅ．ｃｏｍ) before validating:
    Japanese IMEs and autofill produce them, and they are the same mailbox."""

    def to_python(self, value):
        return normalize_email(super().to_python(value))


class OneLineField(forms.CharField):
    """A name or title that may end up in a mail header or a one-line list: white space,
    line breaks included, collapses to single spaces; other control characters are a field error."""

    default_validators = [validate_one_line]

    def to_python(self, value):
        return " ".join(super().to_python(value).split())


# Dates people mean fall in this range; outside it, converting between Japan time and UTC can
# overflow (year 1 in Tokyo is year 0 in UTC) and the database refuses the value with a 500.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


class _InRange:
    default_error_messages = {"out_of_range": _("1900年から2100年までの日付を入力してください。")}

    def validate(self, value):
        super().validate(value)
        if value and not EARLIEST_DATE.year <= value.year <= LATEST_DATE.year:
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range")


class DateInRangeField(_InRange, forms.DateField):
    pass


class DateTimeInRangeField(_InRange, forms.DateTimeField):
    pass
