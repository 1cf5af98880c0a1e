"""The applicant list as a CSV file Excel opens correctly.

UTF-8 with a BOM by default: Excel needs the BOM to read UTF-8, and UTF-8 keeps every name.
CP932 on request, for older Excel and ATS imports that read nothing else. Characters CP932
cannot hold (𠮷, emoji, some rare kanji) are never dropped silently: the export is refused with
the list of affected cells, and the user may then choose UTF-8 or explicitly accept "?" in their
place. A name quietly changed in a file that goes back into an ATS is worse than one more click.

The headers are the ones the importer recognises, so an exported file imports again unchanged.
"""

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from careerrelay.talent.cleaning import FORMULA_PREFIXES
from careerrelay.talent.models import Applicant

ENCODINGS = {"utf-8": "utf-8-sig", "cp932": "cp932"}
# Skills and tags in one cell; the importer splits at commas and 、 (neither is ever in a name).
LIST_SEPARATOR = ", "


def headers() -> list[str]:
    return [
        _("姓"),
        _("名"),
        _("セイ"),
        _("メイ"),
        _("メールアドレス"),
        _("電話番号"),
        _("応募職種"),
        _("選考段階"),
        _("不採用理由"),
        _("不採用日"),
        _("応募経路"),
        _("評価メモ"),
        _("再連絡可"),
        _("不採用理由詳細"),
        _("スキル"),
        _("タグ"),
        _("ATS ID"),
        _("経験年数"),
    ]


def _cell(value: str) -> str:
    # Spreadsheets run a cell starting with = + - @ as a formula (CSV injection); the importer
    # strips this apostrophe again.
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def row_for(applicant: Applicant, yes: str, no: str) -> list[str]:
    return [
        _cell(applicant.family_name),
        _cell(applicant.given_name),
        _cell(applicant.family_name_kana),
        _cell(applicant.given_name_kana),
        _cell(applicant.email),
        _cell(applicant.phone),
        _cell(applicant.job_title),
        str(applicant.get_stage_display()),
        # The structured reason by the company's own label; the free text in its own column.
        _cell(applicant.reason.label if applicant.reason is not None else ""),
        applicant.rejected_on.isoformat() if applicant.rejected_on else "",
        _cell(applicant.source),
        _cell(applicant.notes),
        yes if applicant.recontact_ok else no,
        _cell(applicant.rejection_reason),
        _cell(LIST_SEPARATOR.join(skill.name for skill in applicant.skill_set.all())),
        _cell(LIST_SEPARATOR.join(tag.name for tag in applicant.tags.all())),
        _cell(applicant.ats_id),
        "" if applicant.years_experience is None else str(applicant.years_experience),
    ]


def rows(applicants) -> list[list[str]]:
    yes, no = _("可"), _("不可")
    applicants = applicants.select_related("reason").prefetch_related("skill_set", "tags")
    return [headers()] + [row_for(a, yes, no) for a in applicants.iterator(chunk_size=2000)]


@dataclass
class Unencodable:
    applicant_line: int  # the line in the exported file
    column: str
    characters: str


def unencodable_cells(table: list[list[str]], encoding: str) -> list[Unencodable]:
    found = []
    header = table[0]
    for line, row in enumerate(table[1:], start=2):
        for column, value in zip(header, row, strict=True):
            try:
                value.encode(encoding)
            except UnicodeEncodeError:
                bad = "".join(dict.fromkeys(ch for ch in value if not _encodes(ch, encoding)))
                found.append(Unencodable(applicant_line=line, column=column, characters=bad))
    return found


def _encodes(ch: str, encoding: str) -> bool:
    try:
        ch.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def encode(table: list[list[str]], encoding: str) -> bytes:
    """Excel's CSV: CRLF line ends, every cell quoted only where needed."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(table)
    return buffer.getvalue().encode(ENCODINGS[encoding], errors="replace")
