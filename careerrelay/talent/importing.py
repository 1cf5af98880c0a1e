"""CSV files as Japanese ATSs and Excel write them: decoding, delimiters, column mapping.

The import runs in steps (upload, mapping, preview and validation report, import). Between the
steps the decoded text is kept server-side in an ImportUpload row scoped to the organisation,
never in the session cookie; the row is deleted after the import or after UPLOAD_TTL.
"""

import codecs
import csv
import io
import json
import zlib
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from careerrelay.audit.actor import Actor
from careerrelay.common.bulk import paused_gc
from careerrelay.organisations.models import Organisation
from careerrelay.talent import cleaning, exporting, services
from careerrelay.talent.cleaning import squash
from careerrelay.talent.models import ImportMapping, ImportUpload, RejectionReason

UPLOAD_TTL = timedelta(days=1)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
PREVIEW_ROWS = 10

# Our field -> label shown in the mapping form, and the headers we recognise for it.
COLUMNS = {
    "full_name": (
        gettext_lazy("氏名（姓と名が1列）"),
        [
            "氏名",
            "名前",
            "お名前",
            "応募者名",
            "応募者氏名",
            "候補者名",
            "氏名(漢字)",
            "name",
            "full name",
            "applicant name",
        ],
    ),
    "family_name": (
        gettext_lazy("姓"),
        ["姓", "苗字", "名字", "氏", "姓(漢字)", "last name", "family name", "surname"],
    ),
    "given_name": (gettext_lazy("名"), ["名", "名(漢字)", "first name", "given name"]),
    "full_name_kana": (
        gettext_lazy("フリガナ（姓と名が1列）"),
        [
            "フリガナ",
            "ふりがな",
            "氏名カナ",
            "氏名(カナ)",
            "カナ氏名",
            "氏名(フリガナ)",
            "カナ",
            "furigana",
            "name kana",
            "kana",
        ],
    ),
    "family_name_kana": (
        gettext_lazy("セイ（フリガナ）"),
        ["セイ", "せい", "姓カナ", "姓(カナ)", "姓(フリガナ)", "姓ふりがな", "last name kana", "family name kana"],
    ),
    "given_name_kana": (
        gettext_lazy("メイ（フリガナ）"),
        ["メイ", "めい", "名カナ", "名(カナ)", "名(フリガナ)", "名ふりがな", "first name kana", "given name kana"],
    ),
    "email": (
        gettext_lazy("メールアドレス"),
        ["メールアドレス", "メール", "eメール", "e-mail", "email", "mail", "email address", "pcメールアドレス"],
    ),
    "phone": (
        gettext_lazy("電話番号"),
        [
            "電話番号",
            "電話",
            "携帯電話",
            "携帯電話番号",
            "携帯番号",
            "連絡先電話番号",
            "tel",
            "phone",
            "phone number",
            "mobile",
        ],
    ),
    "job_title": (
        gettext_lazy("応募職種"),
        [
            "応募職種",
            "職種",
            "募集職種",
            "応募ポジション",
            "ポジション",
            "求人名",
            "求人",
            "job",
            "job title",
            "position",
        ],
    ),
    "stage": (
        gettext_lazy("選考段階"),
        ["選考段階", "選考ステップ", "選考ステータス", "ステップ", "フェーズ", "stage", "selection stage", "status"],
    ),
    "rejection_reason": (
        gettext_lazy("不採用理由（貴社の理由一覧の名前）"),
        [
            "不採用理由",
            "見送り理由",
            "お見送り理由",
            "不合格理由",
            "不採用理由分類",
            "不採用理由(分類)",
            "rejection reason",
            "reason",
        ],
    ),
    "rejection_detail": (
        gettext_lazy("不採用理由の詳細"),
        [
            "不採用理由詳細",
            "不採用理由の詳細",
            "不採用理由(詳細)",
            "見送り理由詳細",
            "見送り理由の詳細",
            "不採用コメント",
            "rejection detail",
            "rejection details",
        ],
    ),
    "rejected_at": (
        gettext_lazy("不採用日"),
        [
            "不採用日",
            "見送り日",
            "お見送り日",
            "不合格日",
            "選考終了日",
            "rejection date",
            "rejected on",
            "rejected at",
            "rejected date",
        ],
    ),
    "source": (
        gettext_lazy("応募経路"),
        ["応募経路", "経路", "媒体", "求人媒体", "応募媒体", "流入経路", "source", "channel"],
    ),
    "notes": (
        gettext_lazy("評価メモ"),
        ["評価メモ", "メモ", "評価", "備考", "コメント", "notes", "note", "memo", "comments"],
    ),
    "recontact_ok": (
        gettext_lazy("再連絡可"),
        [
            "再連絡可",
            "再連絡",
            "再連絡同意",
            "再連絡可否",
            "再連絡の同意",
            "連絡可",
            "recontact",
            "recontact ok",
            "contact again",
        ],
    ),
    "skills": (
        gettext_lazy("スキル（カンマか「、」区切り）"),
        ["スキル", "保有スキル", "スキルセット", "技術", "skills", "skill"],
    ),
    "tags": (gettext_lazy("タグ（カンマか「、」区切り）"), ["タグ", "ラベル", "tags", "tag", "labels"]),
    "ats_id": (
        gettext_lazy("ATS ID"),
        ["ATS ID", "ATSID", "応募者ID", "候補者ID", "ats id", "applicant id", "candidate id", "external id"],
    ),
    "years_experience": (
        gettext_lazy("経験年数"),
        ["経験年数", "実務経験年数", "経験", "職務経験年数", "years of experience", "years experience", "experience"],
    ),
}
# Mappings remembered before rejected_on was renamed rejected_at still apply.
_OLD_FIELD_NAMES = {"rejected_on": "rejected_at"}
_HEADER_WORDS = {squash(word): name for name, (_label, words) in COLUMNS.items() for word in words}


def _header_words() -> dict[str, str]:
    """Known header words, plus our own export's headers in every language of the site, so a
    file exported with the English interface imports again without mapping by hand."""
    words = dict(_HEADER_WORDS)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for header, name in zip(exporting.headers(), cleaning.EXPORT_FIELDS, strict=True):
                words.setdefault(squash(header), name)
    return words


class UnreadableFile(Exception):
    pass


def decode_csv(data: bytes) -> tuple[str, str]:
    """Return (text, encoding). UTF-8 (with or without BOM) is tried strictly first, then CP932.

    CP932 rather than "shift_jis": Excel's 「CSV」 is Windows' CP932, which has the IBM and NEC
    extensions (髙, 﨑, ①, ㈱) that plain Shift_JIS lacks. A Japanese CP932 file is practically
    never valid UTF-8, so the strict UTF-8 attempt does not misread one.
    """
    if data.startswith(b"PK\x03\x04"):
        raise UnreadableFile(_("Excelファイル（.xlsx）は読み込めません。Excelで「CSV」形式で保存し直してください。"))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's 「Unicode テキスト」: UTF-16 with BOM, tab-separated.
        text, encoding = data.decode("utf-16"), "utf-16"
    else:
        for encoding in ("utf-8-sig", "cp932"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise UnreadableFile(_("文字コードを判別できません。UTF-8 または Shift_JIS（CP932）で保存してください。"))
        if encoding == "utf-8-sig" and not data.startswith(codecs.BOM_UTF8):
            encoding = "utf-8"
    if "\x00" in text:
        raise UnreadableFile(_("CSVファイルではないようです。"))
    return text, encoding


def sniff_delimiter(text: str) -> str:
    """Comma, tab or semicolon. Header cells rarely contain a delimiter, so the character that
    splits the header line most often wins; on a tie, csv.Sniffer looks at the first lines."""
    header = text.split("\n", 1)[0]
    counts = sorted(((header.count(d), d) for d in (",", "\t", ";")), reverse=True)
    if counts[0][0] and counts[0][0] != counts[1][0]:
        return counts[0][1]
    try:
        return csv.Sniffer().sniff("\n".join(text.splitlines()[:20]), delimiters=",\t;").delimiter
    except csv.Error:
        return ","


def read_rows(text: str, delimiter: str):
    """Yield (line number, cells) for the header and each non-empty record.

    The line number is where the record starts in the file (line 1 is the header), which is
    what the user sees in a text editor; a quoted cell with line breaks spans several lines.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    for cells in reader:
        line, start = start, reader.line_num + 1
        if any(cell.strip() for cell in cells):
            yield line, cells


def read_header(text: str, delimiter: str) -> list[str]:
    for _line, cells in read_rows(text, delimiter):
        return [cell.strip() for cell in cells]
    return []


def guess_columns(headers: list[str], remembered: dict[str, str] | None = None) -> dict[str, int]:
    """Our field -> column index: the organisation's last mapping first, then known header names."""
    squashed = [squash(h) for h in headers]
    columns: dict[str, int] = {}
    for name, header in (remembered or {}).items():
        name = _OLD_FIELD_NAMES.get(name, name)
        if name in COLUMNS and squash(header) in squashed:
            index = squashed.index(squash(header))
            if index not in columns.values():
                columns[name] = index
    known = _header_words()
    for index, word in enumerate(squashed):
        name = known.get(word)
        if name and name not in columns and index not in columns.values():
            columns[name] = index
    # One name column and two name columns describe the same thing; prefer the split form.
    if "family_name" in columns:
        columns.pop("full_name", None)
    if "family_name_kana" in columns:
        columns.pop("full_name_kana", None)
    return columns


def remembered_columns(organisation: Organisation) -> dict[str, str]:
    mapping = ImportMapping.objects.filter(organisation=organisation).first()
    return mapping.columns if mapping else {}


def remember_columns(*, organisation: Organisation, headers: list[str], columns: dict[str, int]) -> None:
    names = {name: headers[index] for name, index in columns.items() if 0 <= index < len(headers)}
    ImportMapping.objects.update_or_create(organisation=organisation, defaults={"columns": names})


def sweep_uploads() -> int:
    deleted, _detail = ImportUpload.objects.filter(created_at__lt=timezone.now() - UPLOAD_TTL).delete()
    return deleted


def store_upload(*, organisation: Organisation, user, filename: str, data: bytes) -> ImportUpload:
    if len(data) > MAX_UPLOAD_BYTES:
        raise UnreadableFile(_("ファイルが大きすぎます（20MBまで）。"))
    text, encoding = decode_csv(data)
    delimiter = sniff_delimiter(text)
    rows = read_rows(text, delimiter)  # one pass: the header, then the count
    first = next(rows, None)
    headers = [cell.strip() for cell in first[1]] if first is not None else []
    if not headers:
        raise UnreadableFile(_("ファイルが空です。"))
    count = sum(1 for _row in rows)
    if count < 1:
        raise UnreadableFile(_("見出し行のほかにデータの行がありません。"))
    if count > MAX_ROWS:
        raise UnreadableFile(_("行数が多すぎます（%(max)d行まで）。ファイルを分けてください。") % {"max": MAX_ROWS})
    sweep_uploads()
    return ImportUpload.objects.create(
        organisation=organisation,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        filename=filename[:255],
        encoding=encoding,
        delimiter=delimiter,
        text=text,
        columns=guess_columns(headers, remembered_columns(organisation)),
    )


def get_upload(*, organisation: Organisation, pk) -> ImportUpload | None:
    # The cleaned rows are read only where they are used (cleaned_rows).
    return (
        ImportUpload.objects.filter(organisation=organisation, pk=pk, created_at__gte=timezone.now() - UPLOAD_TTL)
        .select_related("organisation")
        .defer("cleaned")
        .first()
    )


def upload_headers(upload: ImportUpload) -> list[str]:
    return read_header(upload.text, upload.delimiter)


def upload_records(upload: ImportUpload, columns: dict[str, int] | None = None):
    """Yield (line, raw record) for every data row, through the upload's column mapping."""
    columns = upload.columns if columns is None else columns
    rows = read_rows(upload.text, upload.delimiter)
    next(rows, None)  # the header
    for line, cells in rows:
        yield line, {name: cells[index] if index < len(cells) else "" for name, index in columns.items()}


def set_columns(*, upload: ImportUpload, columns: dict[str, int]) -> None:
    upload.columns = columns
    upload.cleaned = None
    upload.save(update_fields=["columns", "cleaned"])
    remember_columns(organisation=upload.organisation, headers=upload_headers(upload), columns=columns)


# --- Cleaned once: the validation report's rows, kept for the import ---------------------------
#
# Cleaning a row (clean_record) depends on the row, the column mapping, the company's reason list
# and the language of the messages; the report stores its cleaned rows with the upload, keyed by
# those, and the import reuses them while the key still matches. What depends on the rest of the
# database (who exists already, duplicates) is always planned again, at the import inside its
# transaction (services.plan_records).


def _cleaning_key(upload: ImportUpload, matcher: cleaning.ReasonMatcher) -> list:
    reasons = sorted(
        (reason.pk, reason.label, reason.kind, reason.active, reason.position)
        for reason in {id(r): r for r in [*matcher.by_label.values(), *matcher.by_kind.values()]}.values()
    )
    columns = sorted(upload.columns.items())
    return [translation.get_language() or "", [list(c) for c in columns], [list(r) for r in reasons]]


_MISSING = object()


class _Table:
    """Each distinct JSON value once, rows as indexes into the table: 10,000 rows repeat the same
    names, notes, stages and messages, and a plain dump of them was 16 MB that took as long to
    read back as cleaning the rows again."""

    def __init__(self):
        self.values: list = []
        self.index: dict = {}

    def __call__(self, value) -> int:
        key = (type(value), tuple(value) if isinstance(value, list) else value)
        try:
            return self.index[key]
        except KeyError:
            self.index[key] = len(self.values)
            self.values.append(value)
            return len(self.values) - 1
        except TypeError:  # a list of dicts (the API's field errors): not shared
            self.values.append(value)
            return len(self.values) - 1


def _dump(rows: list[tuple[int, cleaning.CleanedRecord]]) -> dict:
    table = _Table()
    # A bad record may lack a field that did not parse: -1 marks it.
    names = list({name: None for _line, record in rows for name in record.data})
    out = []
    for line, record in rows:
        data = record.data
        values = []
        for name in names:
            if name not in data:
                values.append(-1)
                continue
            value = data[name]
            if name == "reason":
                value = value.pk if value is not None else None
            elif name == "rejected_on" and value is not None:
                value = value.isoformat()
            values.append(table(value))
        out.append(
            [
                line,
                values,
                table(record.errors),
                table(record.warnings),
                table(record.field_errors),
                table(sorted(record.present)),
            ]
        )
    return {"names": names, "values": table.values, "rows": out}


def _load(stored: dict, reasons: dict[int, RejectionReason]) -> list[tuple[int, cleaning.CleanedRecord]] | None:
    names, values = stored["names"], stored["values"]
    converted = {}
    for position, name in enumerate(names):
        if name in ("reason", "rejected_on"):
            converted[position] = name
    cache: dict[tuple[int, int], object] = {}
    result = []
    for line, indexes, errors, warnings, field_errors, present in stored["rows"]:
        row = [values[index] if index >= 0 else _MISSING for index in indexes]
        for position, name in converted.items():
            index = indexes[position]
            if index < 0 or values[index] is None:
                continue
            try:
                row[position] = cache[position, index]
            except KeyError:
                if name == "reason":
                    if values[index] not in reasons:
                        return None  # the reason was deleted since: clean again
                    value: object = reasons[values[index]]
                else:
                    value = date.fromisoformat(values[index])
                cache[position, index] = row[position] = value
        data = dict(zip(names, row, strict=True))
        if _MISSING in row:
            data = {name: value for name, value in data.items() if value is not _MISSING}
        for name in ("skills", "tags"):
            if name in data:
                data[name] = list(data[name])
        result.append(
            (
                line,
                cleaning.CleanedRecord(
                    data=data,
                    errors=list(values[errors]),
                    warnings=list(values[warnings]),
                    field_errors=list(values[field_errors]),
                    present=set(values[present]),
                ),
            )
        )
    return result


def cleaned_rows(upload: ImportUpload) -> list[tuple[int, cleaning.CleanedRecord]]:
    """The upload's rows cleaned: as the report stored them when nothing they depend on has
    changed since, else cleaned now (and stored for the next step)."""
    matcher = services.reason_matcher_for(upload.organisation)
    key = _cleaning_key(upload, matcher)
    packed = ImportUpload.objects.filter(pk=upload.pk).values_list("cleaned", flat=True).first()
    stored = json.loads(zlib.decompress(packed)) if packed else None
    if stored and stored.get("key") == key:
        reasons = {reason.pk: reason for reason in [*matcher.by_label.values(), *matcher.by_kind.values()]}
        with paused_gc():
            loaded = _load(stored, reasons)
        if loaded is not None:
            return loaded
    cleaned = services.clean_records(organisation=upload.organisation, records=upload_records(upload))
    with paused_gc():
        dumped = _dump(cleaned)
        packed = zlib.compress(json.dumps({"key": key, **dumped}, ensure_ascii=False).encode(), 1)
    ImportUpload.objects.filter(pk=upload.pk).update(cleaned=packed)
    return cleaned


def validate_upload(upload: ImportUpload) -> services.Validation:
    with paused_gc():
        return services.plan_records(organisation=upload.organisation, cleaned=cleaned_rows(upload))


@dataclass
class ImportResult:
    created: int
    updated: int
    skipped: list[int]
    applied_again: int = 0
    unchanged: int = 0


def import_upload(*, upload: ImportUpload, actor: Actor, skip: set[int] | frozenset[int] = frozenset()) -> ImportResult:
    """All rows, or all rows but the bad ones the user chose to skip; then the upload is gone."""
    with paused_gc(), transaction.atomic():
        outcome = services.import_applicants(
            organisation=upload.organisation, records=(), cleaned=cleaned_rows(upload), skip=skip, actor=actor
        )
        upload.delete()
    return ImportResult(
        created=len(outcome.created),
        updated=len(outcome.updated),
        skipped=sorted(outcome.validation.bad_lines),
        applied_again=len(outcome.applied_again),
        unchanged=len(outcome.unchanged),
    )


def missing_columns(columns: dict[str, int]) -> list[str]:
    missing = []
    if "email" not in columns:
        missing.append(str(COLUMNS["email"][0]))
    if "family_name" not in columns and "full_name" not in columns:
        missing.append(_("氏名（「氏名」か「姓」の列）"))
    return missing
