"""The built-in rejection templates, written for CareerRelay.

These are email content in their own language (the Japanese presets are Japanese letters, the
English one is an English letter), not interface text, so they are not translated through
gettext. Changing a text here updates the shared preset rows on the next sync_presets().
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    key: str
    name: str
    language: str
    subject: str
    body_text: str
    body_html: str = ""


PRESETS: list[Preset] = [
    Preset(
        key="ja_midcareer_formal",
        name="中途採用・丁寧",
        language="ja",
        subject="選考結果のご連絡（{{company_name}}）",
        body_text="{{applicant_name}} 様\n\n{{relay_link}}\n\n{{signature}}\n",
    ),
]
