from django import forms

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
