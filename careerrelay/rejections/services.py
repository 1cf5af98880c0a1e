"""Rejection templates: safe rendering of {{variable}} slots, validation, presets.

Employers write these templates, so they are never run through Django's template engine: the
only thing a template can do is name one of VARIABLES. A template has one body, written as
plain text; the plain-text part of the email is that body with the values filled in, and the
HTML part is made from the same body (paragraphs, bulleted lines as a list, the relay link on a
line of its own as a button), so both parts always say the same thing. Values are HTML-escaped
in the HTML part and kept as they are in the plain-text part and the subject.
"""

import re
import secrets
from dataclasses import dataclass

import css_inline
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from careerrelay.organisations.brand import organisation_brand
from careerrelay.rejections.links import URL_RE, LinkPolicy, host_of, link_errors, neutralise, sanitise_html
from careerrelay.rejections.models import RejectionTemplate
from careerrelay.rejections.presets import PRESETS

VARIABLES = {
    "applicant_name": _("応募者の氏名"),
    "job_title": _("応募職種"),
    "company_name": _("会社名"),
    "sender_name": _("送信者名"),
    "signature": _("署名"),
    "relay_link": _("キャリアリレーのリンク"),
    "unsubscribe_link": _("配信停止リンク（キャリアリレーから送信する場合）"),
    "survey_link": _("選考アンケートのリンク（匿名・1通に1つ。キャリアリレーから送信する場合）"),
    "openings_link": _("募集中の求人ページのリンク（再チャレンジ案内）"),
}
LINK_VARIABLES = {"relay_link", "unsubscribe_link", "survey_link", "openings_link"}
# A link variable alone on a line of the body becomes a button in the HTML part, with this label.
BUTTON_VARIABLES = {"relay_link": _("キャリアリレーについて見る"), "openings_link": _("募集中の求人を見る")}

# {{ name }} with optional spaces. Anything between the braces is captured, so that a typo or
# {{ 氏名 }} is reported as an unknown variable instead of being sent as it is.
VARIABLE_RE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
TEMPLATE_TAG_RE = re.compile(r"\{%.*?%\}", re.S)


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Problem:
    level: str  # "error" blocks saving; "warning" is shown but allowed
    field: str  # "subject" or "body"
    message: str | Promise

    @property
    def is_error(self):
        return self.level == "error"


def find_variables(source: str) -> list[str]:
    return [m.group(1) for m in VARIABLE_RE.finditer(source or "")]


def validate_template(subject: str, body: str, *, organisation=None) -> list[Problem]:
    """Errors block saving; an address outside the link policy (links.py) is an error naming it."""
    problems: list[Problem] = []
    fields = {"subject": subject or "", "body": body or ""}
    policy = LinkPolicy(organisation)
    for field, source in fields.items():
        problems.extend(Problem("error", field, message) for message in link_errors(source, policy))
        seen = set()
        for name in find_variables(source):
            if name in VARIABLES or name in seen:
                continue
            seen.add(name)
            problems.append(
                Problem(
                    "error",
                    field,
                    _("「{{%(name)s}}」は使えない変数です。使える変数: %(known)s")
                    % {"name": name, "known": ", ".join("{{" + v + "}}" for v in VARIABLES)},
                )
            )
        if TEMPLATE_TAG_RE.search(source):
            problems.append(
                Problem(
                    "error", field, _("「{% … %}」の形式のタグは使えません。変数は {{relay_link}} のように書きます。")
                )
            )
    for link in ("relay_link", "survey_link"):
        if link in find_variables(fields["subject"]):
            problems.append(
                Problem(
                    "error",
                    "subject",
                    _("件名には {{%(name)s}} を入れられません。本文に入れてください。") % {"name": link},
                )
            )
    if fields["body"].strip() and "relay_link" not in find_variables(fields["body"]):
        problems.append(
            Problem(
                "warning",
                "body",
                _(
                    "本文に {{relay_link}} がありません。"
                    "このままでは応募者に次の一歩を案内できず、紹介実績にもつながりません。"
                ),
            )
        )
    return problems


PARAGRAPH_BREAK_RE = re.compile(r"(\n[ \t\u3000]*\n)")


def without_survey(body: str) -> str:
    """The body without the paragraphs that hold {{survey_link}}: for a message that carries no
    survey (copied for an ATS, which cannot make one link per message), so that no sentence
    invites to a survey that is not there."""
    if "survey_link" not in find_variables(body):
        return body
    parts = PARAGRAPH_BREAK_RE.split(body.replace("\r\n", "\n"))
    kept: list[str] = []
    for index in range(0, len(parts), 2):
        if "survey_link" in find_variables(parts[index]):
            continue
        if kept:
            kept.append(parts[index - 1])
        kept.append(parts[index])
    return "".join(kept)


def _substitute(source: str, values: dict[str, str], render) -> str:
    def replace(match):
        name = match.group(1)
        if name not in values:
            return match.group(0)  # unknown: left visible (validation keeps them out of saved templates)
        return render(name, values[name])

    return VARIABLE_RE.sub(replace, source)


# A paragraph whose every line starts with one of these is a list in the HTML part.
BULLETS = ("・", "- ", "* ", "• ")
BUTTON_STYLE = (
    "display:inline-block;background:#0f766e;color:#ffffff;text-decoration:none;"
    "padding:12px 24px;border-radius:6px;font-weight:bold;"
)
LIST_STYLE = "background:#f0fdfa;border-radius:6px;padding:12px 12px 12px 32px;margin:0 0 1em 0;"


def _inline_html(source: str, values: dict[str, str]) -> str:
    """One line of the body as HTML: text escaped, values escaped, links live, line breaks kept."""
    pieces: list[str] = []
    last = 0
    for match in VARIABLE_RE.finditer(source):
        pieces.append(escape(source[last : match.start()]))
        name = match.group(1)
        if name not in values:
            pieces.append(escape(match.group(0)))
        elif name in LINK_VARIABLES and values[name]:
            url = escape(values[name])
            pieces.append(f'<a href="{url}">{url}</a>')
        else:
            pieces.append(escape(values[name]).replace("\n", "<br>\n"))
        last = match.end()
    pieces.append(escape(source[last:]))
    return "".join(pieces)


def body_to_html(body: str, values: dict[str, str], *, button_label: str, buttons: dict | None = None) -> str:
    """The HTML part made from the one body: blank lines separate paragraphs, a paragraph of
    bulleted lines becomes a list, and {{relay_link}} alone on a line becomes a button (with the
    address under it, for readers that hide buttons); so does any other link variable named in
    `buttons` (variable -> label)."""
    labels = {"relay_link": button_label, **(buttons or {})}
    html = []
    paragraphs = [p for p in re.split(r"\n[ \t\u3000]*\n", body.replace("\r\n", "\n").strip("\n")) if p.strip()]
    for paragraph in paragraphs:
        lines = paragraph.split("\n")
        if all(line.lstrip().startswith(BULLETS) for line in lines):
            items = []
            for line in lines:
                text = line.lstrip()
                text = next(text[len(bullet) :] for bullet in BULLETS if text.startswith(bullet))
                items.append(f'<li style="margin:0 0 4px 0;">{_inline_html(text.strip(), values)}</li>')
            html.append(f'<ul style="{LIST_STYLE}">{"".join(items)}</ul>')
            continue
        chunk: list[str] = []
        for line in lines:
            match = VARIABLE_RE.fullmatch(line.strip())
            if match and match.group(1) in labels and values.get(match.group(1)):
                if chunk:
                    html.append("<p>" + "<br>\n".join(chunk) + "</p>")
                    chunk = []
                url = escape(values[match.group(1)])
                html.append(
                    f'<p style="margin:24px 0;text-align:center;"><a href="{url}" style="{BUTTON_STYLE}">'
                    f"{escape(labels[match.group(1)])}</a></p>"
                    f'<p style="font-size:12px;color:#6b7280;word-break:break-all;"><a href="{url}">{url}</a></p>'
                )
            else:
                chunk.append(_inline_html(line, values))
        if chunk:
            html.append("<p>" + "<br>\n".join(chunk) + "</p>")
    return "\n".join(html)


def default_signature(*, organisation, sender_name: str = "") -> str:
    """Used when the employer has not written a signature: the company (by the name the operator
    approved, as in the From header), and the sender if known."""
    if sender_name:
        return f"{organisation.sender_name}\n{sender_name}"
    return str(_("%(company)s 採用担当") % {"company": organisation.sender_name})


_inliner = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False)


def render_rejection(
    template: RejectionTemplate,
    *,
    applicant=None,
    organisation,
    relay_url: str,
    sender_name: str = "",
    signature: str = "",
    unsubscribe_url: str = "",
    survey_url: str = "",
    openings_url: str = "",
) -> RenderedMessage:
    """The subject, plain text and HTML (CSS inlined) of one rejection email.

    When unsubscribe_url is given (the message is sent from CareerRelay) and the template does
    not place {{unsubscribe_link}} itself, a footer with the link is appended to both parts.
    `survey_url` is this message's own survey link (careerrelay.surveys makes it); without one,
    the paragraphs that hold {{survey_link}} are left out (without_survey).
    openings_url is the company's page of current openings (the follow-up mails): it is held to
    the link policy like any address the company wrote, so one outside it is left out.
    """
    # The link policy again, whatever was saved: every address in the template and in the values
    # (an applicant's job title comes from the company too) outside it becomes a notice.
    policy = LinkPolicy(organisation, extra_hosts={host_of(relay_url), host_of(unsubscribe_url), host_of(survey_url)})
    with translation.override(template.language):
        values = {
            "applicant_name": applicant.full_name if applicant is not None else "",
            # The presets read well with a job title; without one they name "the position".
            "job_title": (getattr(applicant, "job_title", "") or "") or str(_("当社の募集職種")),
            "company_name": organisation.sender_name,
            "sender_name": sender_name,
            "signature": signature or default_signature(organisation=organisation, sender_name=sender_name),
        }
        values = {name: neutralise(value, policy) for name, value in values.items()}
        body_source = template.body if survey_url else without_survey(template.body)
        source_subject, source_body = neutralise(template.subject, policy), neutralise(body_source, policy)
    values.update(
        relay_link=relay_url,
        unsubscribe_link=unsubscribe_url,
        survey_link=survey_url,
        openings_link=openings_url if openings_url and policy.allows(openings_url) else "",
    )
    subject = _substitute(source_subject, values, lambda name, value: value)
    subject = " ".join(subject.split())  # a header never carries a line break

    text = _substitute(source_body, values, lambda name, value: value).strip("\n") + "\n"

    uses_unsubscribe = "unsubscribe_link" in find_variables(template.body)
    footer = unsubscribe_url and not uses_unsubscribe
    with translation.override(template.language):
        labels = {name: str(label) for name, label in BUTTON_VARIABLES.items()}
        body = body_to_html(source_body, values, button_label=labels.pop("relay_link"), buttons=labels)
        body = sanitise_html(body, policy)
        if footer:
            text += (
                "\n"
                + render_to_string(
                    "emails/rejection_footer.txt",
                    {"company_name": organisation.sender_name, "unsubscribe_url": unsubscribe_url},
                ).strip("\n")
                + "\n"
            )
        html = render_to_string(
            "emails/rejection.html",
            {
                "language": template.language,
                "subject": subject,
                "body": mark_safe(body),  # noqa: S308 -- built by body_to_html, which escapes everything
                "footer": footer,
                "company_name": organisation.sender_name,
                "unsubscribe_url": unsubscribe_url,
                # The logo (absolute, on CareerRelay's own host) and colour bar at the top; the
                # plain-text part has neither.
                "brand": organisation_brand(organisation),
            },
        )
    return RenderedMessage(subject=subject, text=text, html=_inliner.inline(html))


# --- Templates of an organisation -------------------------------------------------


def sync_presets(model=RejectionTemplate) -> None:
    """Create or refresh the shared preset rows from presets.py; one query when nothing changed.

    Run by migration 0003 and after every `migrate` (apps.RejectionsConfig), never by a request:
    reading templates does not write. `model` is the migration's historical model there."""
    existing = {t.preset_key: t for t in model.objects.filter(organisation=None)}
    for preset in PRESETS:
        row = existing.get(preset.key)
        fields = {
            "name": preset.name,
            "language": preset.language,
            "subject": preset.subject,
            "body": preset.body,
        }
        if row is None:
            try:
                with transaction.atomic():
                    model.objects.create(organisation=None, preset_key=preset.key, **fields)
            except IntegrityError:
                pass  # a concurrent migrate created it at the same moment
        elif any(getattr(row, k) != v for k, v in fields.items()):
            model.objects.filter(pk=row.pk).update(updated_at=timezone.now(), **fields)


def templates_for_organisation(organisation):
    """The presets and the organisation's own templates, presets first."""
    from django.db.models import Q

    return RejectionTemplate.objects.filter(Q(organisation=None) | Q(organisation=organisation)).order_by(
        "-preset_key", "name", "id"
    )


def create_template(*, organisation, name: str, language: str, subject: str, body: str) -> RejectionTemplate:
    return RejectionTemplate.objects.create(
        organisation=organisation, name=name, language=language, subject=subject, body=body
    )


def update_template(
    template: RejectionTemplate, *, name: str, language: str, subject: str, body: str
) -> RejectionTemplate:
    if template.is_preset:
        raise ValueError("Presets are read-only; copy one first.")
    template.name = name
    template.language = language
    template.subject = subject
    template.body = body
    template.updated_at = timezone.now()
    template.save(update_fields=["name", "language", "subject", "body", "updated_at"])
    return template


def copy_preset(*, preset: RejectionTemplate, organisation, name: str = "") -> RejectionTemplate:
    return create_template(
        organisation=organisation,
        name=name or preset.name,
        language=preset.language,
        subject=preset.subject,
        body=preset.body,
    )


def delete_template(template: RejectionTemplate) -> None:
    if template.is_preset:
        raise ValueError("Presets cannot be deleted.")
    template.delete()


# --- "Copy for my ATS" ----------------------------------------------------------------------
# The relay link and the company name are filled in; everything that differs per applicant
# becomes the ATS's own merge field. Only Greenhouse's {{TOKEN}} format is confirmed from its
# token glossary; the exact names, and HRMOS's and HERP's fields (inserted from their editors'
# 変数 menus), are shown as examples the employer checks against their ATS.


@dataclass(frozen=True)
class AtsStyle:
    key: str
    label: str | Promise
    placeholders: dict  # our variable -> the text put in its place
    note: str | Promise


ATS_STYLES = {
    style.key: style
    for style in [
        AtsStyle(
            key="greenhouse",
            label="Greenhouse",
            placeholders={
                "applicant_name": "{{CANDIDATE_NAME}}",
                "job_title": "{{JOB_NAME}}",
                "sender_name": "{{MY_FULL_NAME}}",
                "signature": "{{MY_SIGNATURE}}",
            },
            note=_(
                "Greenhouse の差し込み項目（トークン）は {{CANDIDATE_NAME}} のように二重の波かっこで書きます。"
                "トークン名は例です。お使いの環境のトークン一覧で確認してください。"
            ),
        ),
        AtsStyle(
            key="hrmos",
            label="HRMOS",
            placeholders={
                "applicant_name": _("［候補者名］"),
                "job_title": _("［求人名］"),
                "sender_name": _("［送信者名］"),
                "signature": _("［署名］"),
            },
            note=_(
                "HRMOS では、メールテンプレート編集画面の「変数」から候補者名・送信者名などを挿入します。"
                "［ ］の部分を、その画面から挿入した変数に置き換えてください。"
            ),
        ),
        AtsStyle(
            key="herp",
            label="HERP Hire",
            placeholders={
                "applicant_name": _("［応募者氏名］"),
                "job_title": _("［職種名］"),
                "sender_name": _("［送信者名］"),
                "signature": _("［署名］"),
            },
            note=_(
                "HERP Hire では、応募者メールテンプレートの編集画面で差し込み項目を挿入します。"
                "［ ］の部分を、その画面から挿入した項目に置き換えてください。"
            ),
        ),
        AtsStyle(
            key="generic",
            label=_("その他のATS・メールソフト"),
            placeholders={
                "applicant_name": _("［応募者の氏名］"),
                "job_title": _("［応募職種］"),
                "sender_name": _("［送信者名］"),
                "signature": _("［署名］"),
            },
            note=_("［ ］の部分を、お使いのシステムの差し込み項目に置き換えるか、送信前に書き換えてください。"),
        ),
    ]
}


@dataclass(frozen=True)
class AtsCopy:
    subject: str
    text: str
    rows: list  # (our variable, what it became, description)


def render_for_ats(template: RejectionTemplate, *, organisation, relay_url: str, ats: str) -> AtsCopy:
    style = ATS_STYLES[ats]
    with translation.override(template.language):  # placeholders in the letter's language
        placeholders = {name: str(text) for name, text in style.placeholders.items()}
    values = {
        **placeholders,
        "company_name": organisation.name,
        "relay_link": relay_url,
        "unsubscribe_link": "",  # the ATS sends the mail, so CareerRelay's unsubscribe does not apply
        "survey_link": "",  # nor can it carry one survey link per message: those paragraphs go
        "openings_link": "",
    }
    subject = " ".join(_substitute(template.subject, values, lambda name, value: value).split())
    text = _substitute(without_survey(template.body), values, lambda name, value: value).strip("\n") + "\n"
    used = set(find_variables(template.subject + without_survey(template.body)))
    rows = [(name, values[name], VARIABLES[name]) for name in VARIABLES if name in used]
    return AtsCopy(subject=subject, text=text, rows=rows)


# --- One template, many recipients --------------------------------------------------------------

# A value made only of these characters comes out of escaping, nh3 and the CSS inliner exactly as
# it went in: no HTML-special character, no control character, no white space but single inner
# ASCII spaces (the subject collapses white space runs; the HTML serialiser writes U+00A0 as
# &nbsp;), no braces, no URL (neutralise would change it).
_UNSAFE_VALUE_RE = re.compile(r"[&<>\"'{}\\\x00-\x1f\x7f-\xa0\u2028\u2029\s]")
_SAFE_TOKEN_RE = re.compile(r"[A-Za-z0-9_\-]+")


def _plain(value: str) -> bool:
    if value != value.strip(" ") or "  " in value:
        return False
    return not _UNSAFE_VALUE_RE.search(value.replace(" ", ""))


class RejectionRenderer:
    """render_rejection for the many messages of one send, with the template compiled once.

    The template is rendered a single time through render_rejection itself, with random marker
    words in place of what differs between messages (the applicant's name and job title, the
    per-message relay, unsubscribe and survey tokens); each message is then that output with the
    markers replaced. So every rule of render_rejection (link policy, escaping, nh3, the inlined
    CSS, the footer) applies to the template exactly as for a single message. The shortcut is taken
    only for values that every one of those steps leaves unchanged (`_plain`: no HTML-special
    character, no URL, no odd white space, a link of the same shape as the marker's); any other
    message is rendered by render_rejection in full. `render()` is equal to render_rejection() for
    every message (tests/rejections/test_renderer.py checks both ways on every preset)."""

    def __init__(
        self,
        template: RejectionTemplate,
        *,
        organisation,
        sender_name: str = "",
        signature: str = "",
        link_makers: dict,
        with_survey: bool = False,
    ):
        """`link_makers`: {"relay_link": token -> URL, "unsubscribe_link": …, "survey_link": …}."""
        self.template = template
        self.organisation = organisation
        self.sender_name = sender_name
        self.signature = signature
        self.with_survey = with_survey
        self.link_makers = link_makers
        with translation.override(template.language):
            self.job_title_default = str(_("当社の募集職種"))
        self.marker = {name: "Zq" + secrets.token_hex(12) + "qZ" for name in ("applicant_name", "job_title")}
        # token -> URL through the same function a message uses; the marker URL tells the shape.
        self.link_shape: dict[str, tuple[str, str]] = {}
        urls = {}
        for name in ("relay_link", "unsubscribe_link", "survey_link"):
            if name == "survey_link" and not with_survey:
                urls[name] = ""
                continue
            token = "Zq" + secrets.token_hex(12) + "qZ"
            url = link_makers[name](token)
            before, _marker, after = url.partition(token)
            self.link_shape[name] = (before, after)
            self.marker[name] = token
            urls[name] = url
        marker_applicant = _MarkerApplicant(self.marker["applicant_name"], self.marker["job_title"])
        self.compiled = render_rejection(
            template,
            applicant=marker_applicant,
            organisation=organisation,
            relay_url=urls["relay_link"],
            sender_name=sender_name,
            signature=signature,
            unsubscribe_url=urls["unsubscribe_link"],
            survey_url=urls["survey_link"],
        )
        self.markers_re = re.compile("|".join(re.escape(m) for m in self.marker.values()))

    def values(self, *, applicant, relay_url: str, unsubscribe_url: str, survey_url: str = "") -> dict | None:
        """marker -> this message's value, or None when this message needs the full render."""
        name = applicant.full_name
        job_title = (getattr(applicant, "job_title", "") or "") or self.job_title_default
        if not (_plain(name) and _plain(job_title)) or URL_RE.search(name) or URL_RE.search(job_title):
            return None
        values = {self.marker["applicant_name"]: name, self.marker["job_title"]: job_title}
        for link, url in (
            ("relay_link", relay_url),
            ("unsubscribe_link", unsubscribe_url),
            ("survey_link", survey_url),
        ):
            if link not in self.link_shape:
                if url:
                    return None
                continue
            before, after = self.link_shape[link]
            token = url[len(before) : len(url) - len(after)]
            if not (url.startswith(before) and url.endswith(after) and _SAFE_TOKEN_RE.fullmatch(token)):
                return None
            values[self.marker[link]] = token
        return values

    def link(self, name: str, token: str) -> str:
        """The link_makers' URL for this token (without resolving the URL again per message)."""
        before, after = self.link_shape[name]
        return before + token + after

    def fill(self, source: str, values: dict) -> str:
        return self.markers_re.sub(lambda match: values[match.group(0)], source)

    def render(self, *, applicant, relay_url: str, unsubscribe_url: str, survey_url: str = "") -> RenderedMessage:
        values = self.values(
            applicant=applicant, relay_url=relay_url, unsubscribe_url=unsubscribe_url, survey_url=survey_url
        )
        if values is None:
            return self.render_in_full(
                applicant=applicant, relay_url=relay_url, unsubscribe_url=unsubscribe_url, survey_url=survey_url
            )
        return self.render_values(values)

    def render_values(self, values: dict) -> RenderedMessage:
        # The values are plain: the subject's white space collapses around them as around the markers.
        return RenderedMessage(
            subject=self.fill(self.compiled.subject, values),
            text=self.fill(self.compiled.text, values),
            html=self.fill(self.compiled.html, values),
        )

    def render_in_full(
        self, *, applicant, relay_url: str, unsubscribe_url: str, survey_url: str = ""
    ) -> RenderedMessage:
        return render_rejection(
            self.template,
            applicant=applicant,
            organisation=self.organisation,
            relay_url=relay_url,
            sender_name=self.sender_name,
            signature=self.signature,
            unsubscribe_url=unsubscribe_url,
            survey_url=survey_url,
        )


@dataclass(frozen=True)
class _MarkerApplicant:
    full_name: str
    job_title: str
