from django import forms

from careerrelay.common.japanese import normalize_email


class NormalizedEmailField(forms.EmailField):
    """Folds full-width and upper-case addresses (ＴＡＲＯ＠ｅｘａｍｐｌｅ．ｃｏｍ) before validating:
    Japanese IMEs and autofill produce them, and they are the same mailbox."""

    def to_python(self, value):
        return normalize_email(super().to_python(value))
