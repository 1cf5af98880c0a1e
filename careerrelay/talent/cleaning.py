"""Turning what an employer's ATS, spreadsheet or API client hands us into applicant fields.

One function, `clean_record`, is shared by the CSV import and the API so that both accept and
refuse exactly the same things. It works on plain dicts of strings (the CSV) or JSON values
(the API) and returns the cleaned fields with a list of human-readable reasons for refusal.
"""

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext as _

from careerrelay.common.forms import EARLIEST_DATE, LATEST_DATE
from careerrelay.common.japanese import (
    MAX_SKILLS,
    SKILL_SEPARATORS,
    nfkc,
    normalize_email,
    normalize_kana,
    normalize_phone,
    normalize_text,
    parse_skills,
)
from careerrelay.common.text import has_unsafe_characters
from careerrelay.talent.models import Applicant, RejectionReason, Stage, Tag

# Fields a record may carry. full_name / full_name_kana ("髙橋 花子") are split into family
# and given names when the source has one column for both, as many ATS exports do.
RECORD_FIELDS = (
    "full_name",
    "family_name",
    "given_name",
    "full_name_kana",
    "family_name_kana",
    "given_name_kana",
    "email",
    "phone",
    "job_title",
    "stage",
    # Structured: one of the company's reason labels, or a kind code such as skills_gap.
    "rejection_reason",
    # Free text: the applicant's rejection_reason column.
    "rejection_detail",
    "rejected_at",
    # The old name of rejected_at, still accepted.
    "rejected_on",
    "source",
    "notes",
    "recontact_ok",
    "skills",
    "tags",
    "ats_id",
    "years_experience",
)

# The columns of an export, in order, named by the record field each is read back into.
EXPORT_FIELDS = (
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "email",
    "phone",
    "job_title",
    "stage",
    "rejection_reason",
    "rejected_at",
    "source",
    "notes",
    "recontact_ok",
    "rejection_detail",
    "skills",
    "tags",
    "ats_id",
    "years_experience",
)

# Applicant columns (model fields) a record sets, besides the name and email.
APPLICANT_FIELDS = (
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "email",
    "phone",
    "job_title",
    "stage",
    "rejection_reason",
    "rejected_on",
    "source",
    "notes",
    "recontact_ok",
    "years_experience",
    "ats_id",
)

MAX_TAGS = 20
MAX_YEARS_EXPERIENCE = 80


def squash(value: str) -> str:
    """The comparison form of a header or a keyword: NFKC, lower case, no spaces or brackets."""
    return re.sub(r"[\s_\-・()\[\]【】「」『』<>*※:]", "", nfkc(value).lower())


def _keywords(pairs: dict) -> dict[str, str]:
    return {squash(word): value for value, words in pairs.items() for word in words}


STAGE_WORDS = _keywords(
    {
        Stage.DOCUMENT: [
            "document",
            "documents",
            "書類選考",
            "書類",
            "書類審査",
            "書類選考中",
            "screening",
            "document screening",
            "resume screening",
        ],
        Stage.FIRST_INTERVIEW: [
            "first_interview",
            "一次面接",
            "1次面接",
            "一次",
            "1次",
            "first interview",
            "1st interview",
        ],
        Stage.SECOND_INTERVIEW: [
            "second_interview",
            "二次面接",
            "2次面接",
            "二次",
            "2次",
            "second interview",
            "2nd interview",
        ],
        Stage.FINAL_INTERVIEW: ["final_interview", "最終面接", "最終", "役員面接", "final interview", "final"],
        Stage.OTHER: ["other", "その他", "三次面接", "3次面接", "適性検査", "筆記試験", "カジュアル面談", "面談"],
    }
)

YES_WORDS = {
    squash(w) for w in ["可", "はい", "yes", "y", "true", "1", "○", "〇", "◯", "同意", "同意あり", "ok", "許可"]
}
NO_WORDS = {squash(w) for w in ["", "不可", "いいえ", "no", "n", "false", "0", "×", "✕", "x", "-", "同意なし", "否"]}

_WESTERN_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT].*)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_ERA_DATE = re.compile(r"^(令和|平成|r|h)\s*(\d{1,2}|元)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_ERA_START = {"令和": 2018, "r": 2018, "平成": 1988, "h": 1988}

# A spreadsheet opens a cell that starts with one of these as a formula. The export escapes such
# cells with a leading apostrophe (see exporting.py); the import removes it again.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Cached normalisation: an import of 10,000 rows repeats the same names, kana, stages, dates,
# job titles and notes many times over; each distinct value is normalised once. Only str
# arguments are cached (the API may send other JSON values), and the results are immutable.
_CACHE_SIZE = 8192


def parse_date(value) -> date | None:
    """2026-11-01, 2026/11/1, 2026年11月1日, 20261101, 令和8年11月1日; "" is None.

    Raises ValueError for anything else, including dates that do not exist (2026/02/30) and
    years outside 1900-2100 (scheduling "N business days after" 9999-12-31 would overflow).
    """
    if isinstance(value, date):
        day = value
    elif isinstance(value, str):
        return _parse_date_str(value)
    else:
        day = _parse_date_text(nfkc(str(value or "")).lower())
    if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(value)
    return day


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _parse_date_str(value: str) -> date | None:
    day = _parse_date_text(nfkc(value).lower())
    if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(value)
    return day


def _parse_date_text(text: str) -> date | None:
    if not text:
        return None
    if match := _WESTERN_DATE.match(text) or _COMPACT_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
        return date(year, month, day)
    if match := _ERA_DATE.match(text):
        era, year, month, day = match.groups()
        return date(_ERA_START[era] + (1 if year == "元" else int(year)), int(month), int(day))
    raise ValueError(text)


@functools.cache
def _translated_words() -> tuple[dict[str, str], set[str], set[str]]:
    """Stage labels and 可/不可 as our own export writes them, in every language of the site."""
    stages, yes, no = dict(STAGE_WORDS), set(YES_WORDS), set(NO_WORDS)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for stage in Stage:
                stages.setdefault(squash(str(stage.label)), stage.value)
            yes.add(squash(_("可")))
            no.add(squash(_("不可")))
    return stages, yes, no


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _parse_stage_str(value: str) -> str:
    text = squash(value)
    if not text:
        return Stage.OTHER
    stages = _translated_words()[0]
    if text in stages:
        return stages[text]
    raise ValueError(value)


def parse_stage(value) -> str:
    if isinstance(value, str) and value:
        return _parse_stage_str(value)
    text = squash(str(value or ""))
    if not text:
        return Stage.OTHER
    stages = _translated_words()[0]
    if text in stages:
        return stages[text]
    raise ValueError(value)


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _parse_bool_str(value)
    return _parse_bool_str(str(value if value is not None else ""))


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _parse_bool_str(value: str) -> bool:
    text = squash(value)
    _stages, yes, no = _translated_words()
    if text in yes:
        return True
    if text in no:
        return False
    raise ValueError(value)


def _unescape_formula(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:2] in FORMULA_PREFIXES else text


def _text(value) -> str:
    """A name or a key (email, phone): NFKC-folded, one line — it identifies, so ＡＢＣ is ABC."""
    if value is None:
        return ""
    return _cached_text(value) if isinstance(value, str) else _unescape_formula(normalize_text(str(value)))


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _cached_text(value: str) -> str:
    return _unescape_formula(normalize_text(value))


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _kana(value: str) -> str:
    return normalize_kana(value)


_LINE_BREAKS = re.compile(r"\s*[\r\n\v\f\x85\u2028\u2029]+\s*")


def one_line_as_typed(value) -> str:
    """Free text on one line (job title, source): kept as typed — 「（東京～大阪）」, ① and the
    ideographic space stay — only a line break becomes a space, and the ends are trimmed."""
    if value is None:
        return ""
    return _one_line(value) if isinstance(value, str) else _unescape_formula(_LINE_BREAKS.sub(" ", str(value)).strip())


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _one_line(value: str) -> str:
    return _unescape_formula(_LINE_BREAKS.sub(" ", value).strip())


def multiline_as_typed(value) -> str:
    """Notes and reasons: kept as typed, line breaks included (as \\n); only the ends are trimmed."""
    if value is None:
        return ""
    return _multiline(value) if isinstance(value, str) else _multiline(str(value))


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _multiline(value: str) -> str:
    return _unescape_formula(value.replace("\r\n", "\n").replace("\r", "\n").strip())


def _split(full: str) -> tuple[str, str]:
    family, _sep, given = full.partition(" ")
    return family, given


def _max_length(name: str) -> int | None:
    return Applicant._meta.get_field(name).max_length


def tag_key(name: str) -> str:
    """One key per tag however it is typed: 「ＰＭ候補」 and 「pm候補」 are one tag."""
    return normalize_text(name).casefold()


def parse_tags(value) -> list[str]:
    """Tags in the order given (a JSON list, or text separated by commas or 、), duplicates dropped."""
    if isinstance(value, str):
        return list(_parse_tags_str(value))
    return _parse_tags(value)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _parse_tags_str(value: str) -> tuple[str, ...]:
    return tuple(_parse_tags(value))


def _parse_tags(value) -> list[str]:
    seen, names = set(), []
    for part in _list_parts(value):
        name = normalize_text(part)[: Tag._meta.get_field("name").max_length]
        key = tag_key(name)
        if key and key not in seen:
            seen.add(key)
            names.append(name)
    return names


def parse_skill_list(value) -> list[str]:
    # normalize_text in parse_skills folds line breaks into spaces, so the parts go in by comma.
    if value is None:
        return []
    if isinstance(value, str):
        return list(_parse_skills_str(value))
    return parse_skills(",".join(_list_parts(value)))


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _parse_skills_str(value: str) -> tuple[str, ...]:
    return tuple(parse_skills(",".join(_list_parts(value))))


def _list_parts(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(part) for part in value if part is not None]
    return SKILL_SEPARATORS.split(normalize_text(str(value)))


def parse_years(value) -> int | None:
    """5, ５, 5年, "5 years"; "" is None. Raises ValueError for anything else or more than 80."""
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise ValueError(value)
    if isinstance(value, int):
        years = value
    else:
        return _parse_years_str(str(value))
    if not 0 <= years <= MAX_YEARS_EXPERIENCE:
        raise ValueError(value)
    return years


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _parse_years_str(value: str) -> int | None:
    text = re.sub(r"\s*(年|years?|yrs?)$", "", nfkc(value).lower())
    if not text:
        return None
    if not text.isascii() or not text.isdigit():
        raise ValueError(value)
    years = int(text)
    if not 0 <= years <= MAX_YEARS_EXPERIENCE:
        raise ValueError(value)
    return years


def reason_label_key(label: str) -> str:
    """How a typed reason is compared with the company's labels: NFKC, no spaces, case folded."""
    return "".join(nfkc(label).split()).casefold()


class ReasonMatcher:
    """A company's reason list, for reading a reason given as its label or as its kind code.

    Retired reasons are still recognised (an old export names them), but only active ones are
    offered as the allowed values.
    """

    def __init__(self, reasons: Iterable[RejectionReason]):
        reasons = sorted(reasons, key=lambda r: (not r.active, r.position, r.pk or 0))
        self.by_label: dict[str, RejectionReason] = {}
        self.by_kind: dict[str, RejectionReason] = {}
        for reason in reasons:
            self.by_label.setdefault(reason_label_key(reason.label), reason)
            self.by_kind.setdefault(reason.kind, reason)
        self.allowed = [reason.label for reason in reasons if reason.active]

    def match(self, value: str) -> RejectionReason | None:
        key = reason_label_key(value)
        return self.by_label.get(key) or self.by_kind.get(key)


def is_blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple)):
        return not any(not is_blank(part) for part in value)
    return False


@dataclass
class CleanedRecord:
    data: dict  # Applicant fields, plus "skills" and "tags" (lists of names)
    errors: list[str] = field(default_factory=list)
    # Accepted, but the user should know (an unknown reason kept as free text).
    warnings: list[str] = field(default_factory=list)
    # The API's field errors: {"field", "message", "allowed"}.
    field_errors: list[dict] = field(default_factory=list)
    # The keys of `data` the record actually gave a value for: an update changes only these, so
    # a blank cell or a field the client left out never erases what is stored.
    present: set[str] = field(default_factory=set)


def clean_record(raw: dict, *, reasons: ReasonMatcher | None = None, strict_reasons: bool = False) -> CleanedRecord:
    """Clean one record (a CSV row through its mapping, or an API item).

    `reasons` reads the structured rejection reason; without it no reason is recognised. An
    unknown reason is a refusal when `strict_reasons` (the API: the client can fix it), else a
    warning, and the text is kept as the free-text detail so nothing is lost (the CSV import).
    """
    errors: list[str] = []
    warnings: list[str] = []
    field_errors: list[dict] = []
    data: dict = {}
    present = {"family_name", "email"}

    def given(*names) -> bool:
        return any(not is_blank(raw.get(name)) for name in names)

    family, given_name = _text(raw.get("family_name")), _text(raw.get("given_name"))
    if not family and not given_name:
        family, given_name = _split(_text(raw.get("full_name")))
    if not family and given_name:
        family, given_name = given_name, ""
    if not family:
        errors.append(_("氏名がありません。"))
    data["family_name"], data["given_name"] = family, given_name
    if given_name:
        present.add("given_name")

    family_kana = _kana(str(raw.get("family_name_kana") or ""))
    given_kana = _kana(str(raw.get("given_name_kana") or ""))
    if not family_kana and not given_kana:
        family_kana, given_kana = _split(_kana(str(raw.get("full_name_kana") or "")))
    data["family_name_kana"], data["given_name_kana"] = family_kana, given_kana
    present |= {name for name in ("family_name_kana", "given_name_kana") if data[name]}

    email = normalize_email(str(raw.get("email") or ""))
    if email.startswith("'") and email[1:2] in FORMULA_PREFIXES:
        email = email[1:]
    data["email"] = data["email_normalized"] = email
    if not email:
        errors.append(_("メールアドレスがありません。"))
    elif not email_is_valid(email):
        errors.append(_("メールアドレスの形式が正しくありません（%(value)s）。") % {"value": email})
        # Only a valid address is a key for duplicate checks.
        data["email_normalized"] = ""

    phone = _text(raw.get("phone"))
    if phone and not normalize_phone(phone):
        errors.append(_("電話番号の形式が正しくありません（%(value)s）。") % {"value": phone})
    data["phone"] = phone

    data["job_title"] = one_line_as_typed(raw.get("job_title"))
    data["source"] = one_line_as_typed(raw.get("source"))
    data["notes"] = multiline_as_typed(raw.get("notes"))
    data["ats_id"] = _text(raw.get("ats_id"))
    for name in ("phone", "job_title", "source", "notes", "ats_id"):
        if data[name]:
            present.add(name)

    data["rejection_reason"] = multiline_as_typed(raw.get("rejection_detail"))
    data["reason"] = None
    reason_text = one_line_as_typed(raw.get("rejection_reason"))
    if reason_text:
        reason = reasons.match(reason_text) if reasons is not None else None
        allowed = reasons.allowed if reasons is not None else []
        if reason is not None:
            data["reason"] = reason
            present.add("reason")
        elif strict_reasons:
            message = _("不採用理由「%(value)s」は登録されていません（%(allowed)s のいずれか）。") % {
                "value": reason_text,
                "allowed": "、".join(allowed),
            }
            errors.append(message)
            field_errors.append({"field": "rejection_reason", "message": message, "allowed": allowed})
        else:
            warnings.append(_unknown_reason_warning(translation.get_language(), reason_text))
            data["rejection_reason"] = "\n".join(filter(None, [reason_text, data["rejection_reason"]]))
    if data["rejection_reason"]:
        present.add("rejection_reason")

    unsafe = [name for name in RECORD_FIELDS if name in raw and _has_unsafe(raw[name])]
    if unsafe:
        errors.append(_("使用できない制御文字が含まれています（%(fields)s）。") % {"fields": ", ".join(unsafe)})

    try:
        data["stage"] = parse_stage(raw.get("stage"))
        if given("stage"):
            present.add("stage")
    except ValueError:
        errors.append(
            _("選考段階「%(value)s」が分かりません（書類選考・一次面接・二次面接・最終面接・その他のいずれか）。")
            % {"value": raw.get("stage")}
        )
    rejected_at = raw.get("rejected_at") if given("rejected_at") else raw.get("rejected_on")
    try:
        data["rejected_on"] = parse_date(rejected_at)
        if data["rejected_on"] is not None:
            present.add("rejected_on")
    except ValueError:
        errors.append(_("不採用日「%(value)s」は日付として読めません（例: 2026/11/01）。") % {"value": rejected_at})
    try:
        data["recontact_ok"] = parse_bool(raw.get("recontact_ok"))
        if given("recontact_ok"):
            present.add("recontact_ok")
    except ValueError:
        errors.append(
            _("再連絡可「%(value)s」は「可」か「不可」で入力してください。") % {"value": raw.get("recontact_ok")}
        )
    try:
        data["years_experience"] = parse_years(raw.get("years_experience"))
        if data["years_experience"] is not None:
            present.add("years_experience")
    except ValueError:
        errors.append(
            _("経験年数「%(value)s」は0〜%(max)dの数で入力してください（例: 5）。")
            % {"value": raw.get("years_experience"), "max": MAX_YEARS_EXPERIENCE}
        )

    data["skills"] = parse_skill_list(raw.get("skills"))
    if len(data["skills"]) > MAX_SKILLS:
        errors.append(_("スキルは%(max)d個までです。") % {"max": MAX_SKILLS})
    data["tags"] = parse_tags(raw.get("tags"))
    if len(data["tags"]) > MAX_TAGS:
        errors.append(_("タグは%(max)d個までです。") % {"max": MAX_TAGS})
    for name in ("skills", "tags"):
        if data[name]:
            present.add(name)

    for name in (
        "family_name",
        "given_name",
        "family_name_kana",
        "given_name_kana",
        "email",
        "phone",
        "job_title",
        "source",
        "ats_id",
    ):
        limit = _MAX_LENGTHS[name]
        if limit and len(data[name]) > limit:
            label = Applicant._meta.get_field(name).verbose_name
            errors.append(_("%(field)sが長すぎます（%(limit)d文字まで）。") % {"field": label, "limit": limit})
    return CleanedRecord(data=data, errors=errors, warnings=warnings, field_errors=field_errors, present=present)


@functools.lru_cache(maxsize=256)
def _unknown_reason_warning(language: str | None, reason_text: str) -> str:
    # The same unknown reason on thousands of rows: one message per language and reason.
    return _(
        "不採用理由「%(value)s」は貴社の不採用理由の一覧にないため、不採用理由の詳細として保存します"
        "（不採用理由は未設定になります）。"
    ) % {"value": reason_text}


def _has_unsafe(value) -> bool:
    if isinstance(value, str):
        return _unsafe_str(value)
    if isinstance(value, (list, tuple)):
        return any(isinstance(part, str) and has_unsafe_characters(part) for part in value)
    return False


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _unsafe_str(value: str) -> bool:
    return has_unsafe_characters(value)


class _MaxLengths(dict):
    """Applicant field -> max_length, read from the model once."""

    def __missing__(self, name: str) -> int | None:
        self[name] = limit = _max_length(name)
        return limit


_MAX_LENGTHS = _MaxLengths()


def email_is_valid(email: str) -> bool:
    """Django's validate_email, with the check of the domain (the same few domains in an import
    of thousands of rows) done once per domain."""
    if not email or "@" not in email or len(email) > 320:
        return False
    user_part, domain_part = email.rsplit("@", 1)
    return _user_part_ok(user_part) and _domain_ok(domain_part)


def _user_part_ok(user_part: str) -> bool:
    return bool(_user_regex().match(user_part))


@functools.cache
def _user_regex() -> re.Pattern:
    pattern = validate_email.user_regex  # a lazily compiled pattern: compile it once here
    return re.compile(pattern.pattern, pattern.flags)


@functools.lru_cache(maxsize=1024)
def _domain_ok(domain_part: str) -> bool:
    return domain_part in validate_email.domain_allowlist or validate_email.validate_domain_part(domain_part)
