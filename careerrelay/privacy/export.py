"""Everything CareerRelay keeps about a candidate, for the candidate (APPI Art. 33 disclosure)."""

from datetime import date, datetime

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from careerrelay.candidates.choices import JobCategory, Prefecture
from careerrelay.candidates.models import Candidate
from careerrelay.candidates.notices import NOTICES
from careerrelay.privacy.models import ProvisionRecord

# Related rows that are not the person's data but machinery (hashed tokens, the retention clock).
_SKIP_RELATED = {"verificationtoken", "signintoken", "retentionstate", "consent", "provisionrecord"}
# Columns that are keys or hashes rather than information about the person.
_SKIP_FIELDS = {"id", "candidate", "token_hash", "stored_name", "sha256", "key", "session_generation"}


# Labels for columns that have no verbose_name of their own.
_EXTRA_LABELS = {
    "public_id": _("対象者ID"),
    "language": _("言語"),
    "registration_ip": _("登録時のIPアドレス"),
    "status": _("状態"),
    "verified_at": _("メールアドレスの確認日時"),
    "referral_status": _("紹介の判定"),
    "created_at": _("登録日時"),
    "updated_at": _("更新日時"),
    "last_signed_in_at": _("最終ログイン日時"),
    "source_employer": _("登録したリレーリンクの企業"),
    "kind": _("形式"),
    "size": _("サイズ(バイト)"),
    "uploaded_at": _("アップロード日時"),
    "name": _("名前"),
    "position": _("順番"),
    "new_email": _("新しいメールアドレス"),
    "expires_at": _("有効期限"),
    "used_at": _("使用日時"),
}


def _value(obj, field):
    value = getattr(obj, field.attname)
    if field.choices and value not in (None, ""):
        return {"value": value, "label": str(getattr(obj, f"get_{field.name}_display")())}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
        return str(value)
    return value


def _row(obj, skip=()):
    return {
        field.name: _value(obj, field)
        for field in obj._meta.concrete_fields
        if field.name not in _SKIP_FIELDS and field.name not in skip and not field.is_relation
    }


def _profile(candidate: Candidate) -> dict:
    data = _row(candidate, skip={"email_normalized", "phone_normalized"})
    data["source_employer"] = (
        candidate.source_campaign.organisation.name if candidate.source_campaign is not None else None
    )
    return data


def _consents(candidate: Candidate) -> list[dict]:
    rows = []
    for consent in candidate.consents.order_by("created_at", "id"):
        notice = NOTICES.get(consent.purpose)
        rows.append(
            {
                "purpose": {"value": consent.purpose, "label": str(consent.get_purpose_display())},
                "action": {"value": consent.action, "label": str(consent.get_action_display())},
                "recipients": consent.recipients,
                "notice_version": consent.notice_version,
                "notice_hash": consent.notice_hash,
                "notice_label": str(notice.label) if notice else "",
                "ip_address": consent.ip_address,
                "user_agent": consent.user_agent,
                "created_at": consent.created_at.isoformat(),
            }
        )
    return rows


def provision_rows(candidate: Candidate) -> list[dict]:
    rows = []
    records = ProvisionRecord.objects.filter(subject_key=candidate.public_id).select_related("recipient_organisation")
    for record in records.order_by("created_at", "id"):
        rows.append(
            {
                "recipient": record.recipient_organisation.name,
                "recipient_kind": str(record.recipient_organisation.get_kind_display()),
                "items": [
                    {"value": v, "label": str(label)} for v, label in zip(record.items, record.item_labels, strict=True)
                ],
                "purpose": {"value": record.purpose, "label": str(record.get_purpose_display())},
                "channel": {"value": record.channel, "label": str(record.get_channel_display())},
                "consent_notice_version": record.consent_notice_version,
                "consent_given_at": record.consent_given_at.isoformat() if record.consent_given_at else None,
                "created_at": record.created_at.isoformat(),
                "kept_until": record.expires_at.isoformat(),
            }
        )
    return rows


def _other_related(candidate: Candidate) -> dict:
    """Every other table that keeps rows about the person (work history, skills, résumé, …),
    found through the foreign keys, so data added later is never left out of the export."""
    sections = {}
    for relation in candidate._meta.related_objects:
        model: type[models.Model] = relation.related_model  # type: ignore[assignment]  # a class once apps are loaded
        name = model._meta.model_name
        # Privacy and audit rows are exported above; the search index is derived from the profile.
        if name in _SKIP_RELATED or model._meta.app_label in {"privacy", "audit", "search"}:
            continue
        rows = model._default_manager.filter(**{relation.field.name: candidate})
        sections[name] = {
            "model": model._meta.label_lower,
            "title": str(model._meta.verbose_name_plural),
            "rows": [_row(row) for row in rows],
        }
    return sections


def export_candidate(candidate: Candidate) -> dict:
    candidate = Candidate.objects.select_related("source_campaign__organisation").get(pk=candidate.pk)
    other = _other_related(candidate)
    resume = other.pop("resume", {"rows": []})
    return {
        "format": "careerrelay-candidate-export/1",
        "exported_at": timezone.now().isoformat(),
        "subject_key": str(candidate.public_id),
        "profile": _profile(candidate),
        "work_history": other.pop("workhistory", {"rows": []})["rows"],
        "skills": [row.get("name") for row in other.pop("candidateskill", {"rows": []})["rows"]],
        "resume": resume["rows"][0] if resume["rows"] else None,
        "consents": _consents(candidate),
        "provision_records": provision_rows(candidate),
        # Introductions arrive with the agency workspace; until then there are none.
        "introductions": other.pop("introduction", {"rows": []})["rows"],
        "other": other,
    }


# --- The readable (HTML) export ---------------------------------------------------------------
# The same data for a person to read: labels instead of codes, Japan time, and without the
# fields that are CareerRelay's own bookkeeping rather than information about the person.

# Internal: the fraud-review hold and whether the registration counted for the employer's credit.
_READABLE_HIDDEN = {"held_for_review", "referral_status"}
# Lists of codes, shown by their labels.
_CODE_LISTS = {"desired_job_categories": JobCategory, "desired_prefectures": Prefecture}
# Dates that stand for a month (work history keeps the first day of it).
_MONTHS = {"started_on", "ended_on"}
# Titles for sections whose model has no verbose name of its own.
_SECTION_TITLES = {"emailchangetoken": _("メールアドレス変更の申請")}


def _datetime_text(value: str) -> str:
    moment = datetime.fromisoformat(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _readable_value(field, value):
    if value in (None, "", []):
        return "-"
    if isinstance(value, dict) and "label" in value:
        return value["label"]
    if field is not None and field.name in _CODE_LISTS:
        choices = _CODE_LISTS[field.name]
        return "、".join(str(choices(code).label) if code in choices.values else str(code) for code in value)
    if field is not None and field.name == "language":
        return str(dict(settings.LANGUAGES).get(value, value))
    if isinstance(field, models.DateTimeField):
        return _datetime_text(value)
    if isinstance(field, models.DateField):
        return date_format(date.fromisoformat(value), "YEAR_MONTH_FORMAT" if field.name in _MONTHS else "DATE_FORMAT")
    if isinstance(value, bool):
        return str(_("はい") if value else _("いいえ"))
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return value


def _labelled(model_label: str, row: dict | None, hidden=frozenset()) -> list[tuple[str, object]]:
    """(field label, shown value) pairs for the human-readable export."""
    if not row:
        return []
    try:
        model = apps.get_model(model_label)
        fields = {f.name: f for f in model._meta.concrete_fields}
    except LookupError:
        fields = {}
    pairs = []
    for key, value in row.items():
        if key in hidden:
            continue
        field = fields.get(key)
        has_label = field is not None and field.verbose_name != field.name.replace("_", " ")
        label = str(field.verbose_name) if field is not None and has_label else str(_EXTRA_LABELS.get(key, key))
        if key.endswith("_at") and isinstance(value, str) and field is None:
            field = models.DateTimeField()  # a moment named by a label of ours (exported_at …)
        pairs.append((label, _readable_value(field, value)))
    return pairs


def _section_title(section: dict) -> str:
    model = apps.get_model(section["model"])
    if "verbose_name_plural" in model._meta.original_attrs or "verbose_name" in model._meta.original_attrs:
        return section["title"]
    return str(_SECTION_TITLES.get(model._meta.model_name, _("その他の記録")))


def _with_local_times(row: dict, names: tuple[str, ...]) -> dict:
    return {**row, **{name: _datetime_text(row[name]) if row.get(name) else "-" for name in names}}


def readable_export(data: dict) -> dict:
    """The same data as `export_candidate`, for a person to read."""
    return {
        "exported_at": _datetime_text(data["exported_at"]),
        "profile": _labelled("candidates.candidate", data["profile"], hidden=_READABLE_HIDDEN),
        "work_history": [_labelled("candidates.workhistory", row) for row in data["work_history"]],
        "skills": data["skills"],
        "resume": _labelled("candidates.resume", data["resume"]),
        "consents": [_with_local_times(row, ("created_at",)) for row in data["consents"]],
        "provision_records": [
            _with_local_times(row, ("created_at", "consent_given_at", "kept_until"))
            for row in data["provision_records"]
        ],
        # An introduction's public id is a key of ours, not something about the person.
        "introductions": [
            _labelled("matching.introduction", row, hidden={"public_id"}) for row in data["introductions"]
        ],
        "other": [
            {"title": _section_title(section), "rows": [_labelled(section["model"], row) for row in section["rows"]]}
            for section in data["other"].values()
        ],
    }
