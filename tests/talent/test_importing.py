import codecs
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from careerrelay.talent import importing, services
from careerrelay.talent.models import Applicant, ImportMapping, ImportUpload, Stage
from tests.helpers.talent import GOOD_AND_BAD, HEADER, SYSTEM, csv_bytes

ENCODINGS = [
    ("utf-8", lambda text: text.encode("utf-8"), "utf-8"),
    ("utf-8-bom", lambda text: codecs.BOM_UTF8 + text.encode("utf-8"), "utf-8-sig"),
    ("cp932", lambda text: text.encode("cp932"), "cp932"),
]


@pytest.mark.parametrize(("label", "encode", "detected"), ENCODINGS, ids=[e[0] for e in ENCODINGS])
def test_it_detects_the_encoding_and_keeps_every_name(label, encode, detected):
    text = "氏名,メールアドレス\r\n髙橋 花子,hanako@example.jp\r\n山﨑 太郎,taro@example.jp\r\n"
    decoded, encoding = importing.decode_csv(encode(text))
    assert encoding == detected
    assert decoded.lstrip("\ufeff") == text


def test_cp932_holds_the_ibm_extension_kanji_that_shift_jis_lacks():
    # 髙 and 﨑 are IBM extensions: Excel's CP932 has them, strict Shift_JIS does not. This is
    # why the importer and the export use CP932.
    assert "髙橋 山﨑".encode("cp932").decode("cp932") == "髙橋 山﨑"
    with pytest.raises(UnicodeEncodeError):
        "髙橋".encode("shift_jis")


def test_it_reads_excels_unicode_text_utf16_with_tabs():
    data = "氏名\tメールアドレス\r\n髙橋 花子\thanako@example.jp\r\n".encode("utf-16")
    text, encoding = importing.decode_csv(data)
    assert encoding == "utf-16"
    assert importing.sniff_delimiter(text) == "\t"


def test_it_refuses_an_xlsx_with_a_clear_message():
    with pytest.raises(importing.UnreadableFile, match="CSV"):
        importing.decode_csv(b"PK\x03\x04rest-of-a-zip")


def test_it_refuses_bytes_that_are_neither_utf8_nor_cp932():
    with pytest.raises(importing.UnreadableFile):
        importing.decode_csv(b"\x81\x20\xff\xfe\x80")


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_it_sniffs_the_delimiter(delimiter):
    text = csv_bytes(GOOD_AND_BAD[:2], delimiter=delimiter).decode()
    assert importing.sniff_delimiter(text) == delimiter


def test_it_guesses_columns_from_japanese_and_english_headers():
    columns = importing.guess_columns(["Last Name", "First Name", "E-mail", "ステップ", "見送り理由", "備考"])
    assert columns == {
        "family_name": 0,
        "given_name": 1,
        "email": 2,
        "stage": 3,
        "rejection_reason": 4,
        "notes": 5,
    }
    assert importing.guess_columns(HEADER) == {
        "full_name": 0,
        "full_name_kana": 1,
        "email": 2,
        "job_title": 3,
        "stage": 4,
        "rejection_reason": 5,
        "rejected_at": 6,
        "source": 7,
        "notes": 8,
        "recontact_ok": 9,
    }


def _upload(employer, data, filename="applicants.csv"):
    return importing.store_upload(organisation=employer, user=None, filename=filename, data=data)


def test_the_mapping_is_remembered_per_company_and_offered_next_time(employer):
    # 面接官 and 連絡先 are not headers we know.
    header = ["面接官", "お名前(漢字)", "連絡先"]
    upload = _upload(employer, csv_bytes([["1", "髙橋 花子", "h@example.jp"]], header=header))
    assert "email" not in upload.columns  # 連絡先 is not a header we know
    importing.set_columns(upload=upload, columns={"full_name": 1, "email": 2})
    assert ImportMapping.objects.get(organisation=employer).columns == {"full_name": "お名前(漢字)", "email": "連絡先"}

    # Next month's export from the same ATS, columns in another order.
    second = _upload(
        employer, csv_bytes([["h2@example.jp", "2", "山﨑 太郎"]], header=["連絡先", "面接官", "お名前(漢字)"])
    )
    assert second.columns == {"email": 0, "full_name": 2}


def test_a_remembered_mapping_does_not_leak_to_another_company(employer, outsider):
    header = ["連絡先", "お名前"]
    upload = _upload(employer, csv_bytes([["h@example.jp", "髙橋"]], header=header))
    importing.set_columns(upload=upload, columns={"email": 0, "full_name": 1})
    other = outsider.memberships.get().organisation
    assert _upload(other, csv_bytes([["h@example.jp", "髙橋"]], header=header)).columns == {"full_name": 1}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_the_report_lists_every_bad_row_with_its_line_and_reason(employer, encoding):
    services.create_applicant(
        actor=SYSTEM, organisation=employer, data={"family_name": "既存", "email": "saburo@example.jp"}
    )
    upload = _upload(employer, csv_bytes(GOOD_AND_BAD, encoding=encoding))
    validation = importing.validate_upload(upload)
    assert [line for line, _data in validation.valid] == [2, 3]
    assert {p.line: p.reasons for p in validation.problems} == {
        4: ["氏名がありません。"],
        5: ["メールアドレスの形式が正しくありません（not-an-email）。"],
        6: ["同じメールアドレスが3行目にもあります（taro@example.jp）。"],
        # An existing applicant is no longer a problem (it is updated), a bad date still is.
        7: ["不採用日「2026/02/30」は日付として読めません（例: 2026/11/01）。"],
    }
    assert Applicant.objects.filter(organisation=employer).count() == 1  # nothing saved by checking


def test_an_existing_applicant_is_planned_as_an_update_not_a_duplicate(employer, applicant):
    upload = _upload(
        employer, csv_bytes([["髙橋 花子", "", "HANAKO.TAKAHASHI@example.jp", "", "", "", "", "", "", ""]])
    )
    validation = importing.validate_upload(upload)
    assert validation.problems == []
    assert validation.matches == {2: applicant.pk}
    assert (validation.to_create, validation.to_update) == (0, 1)


def test_line_numbers_follow_the_file_across_quoted_line_breaks_and_blank_rows(employer):
    text = (
        "氏名,メールアドレス,評価メモ\r\n"
        '髙橋 花子,hanako@example.jp,"1行目\r\n2行目"\r\n'
        ",,\r\n"
        "山﨑 太郎,bad-address,\r\n"
    )
    validation = importing.validate_upload(_upload(employer, text.encode("cp932")))
    assert validation.valid[0][1]["notes"] == "1行目\n2行目"
    assert [p.line for p in validation.problems] == [5]


def test_an_import_with_bad_rows_saves_nothing(employer):
    upload = _upload(employer, csv_bytes(GOOD_AND_BAD, encoding="cp932"))
    with pytest.raises(services.ImportRefused) as refused:
        importing.import_upload(actor=SYSTEM, upload=upload)
    assert refused.value.unskipped == {4, 5, 6, 7}
    assert Applicant.objects.filter(organisation=employer).count() == 0
    assert ImportUpload.objects.filter(pk=upload.pk).exists()


def test_skipping_only_some_of_the_bad_rows_still_saves_nothing(employer):
    upload = _upload(employer, csv_bytes(GOOD_AND_BAD))
    with pytest.raises(services.ImportRefused) as refused:
        importing.import_upload(actor=SYSTEM, upload=upload, skip={4, 5})
    assert refused.value.unskipped == {6, 7}
    assert Applicant.objects.filter(organisation=employer).count() == 0


def test_skipping_the_bad_rows_the_user_chose_imports_the_rest_normalised(employer):
    upload = _upload(employer, csv_bytes(GOOD_AND_BAD, encoding="cp932"))
    result = importing.import_upload(actor=SYSTEM, upload=upload, skip={4, 5, 6, 7})
    assert (result.created, result.skipped) == (2, [4, 5, 6, 7])
    hanako, taro = Applicant.objects.filter(organisation=employer).order_by("id")
    assert (hanako.family_name, hanako.given_name, hanako.family_name_kana, hanako.given_name_kana) == (
        "髙橋",
        "花子",
        "タカハシ",
        "ハナコ",
    )
    assert hanako.email == "hanako@example.jp"
    assert (hanako.stage, hanako.rejected_on.isoformat(), hanako.recontact_ok) == (
        Stage.FIRST_INTERVIEW,
        "2026-11-01",
        True,
    )
    assert (taro.full_name, taro.full_name_kana, taro.stage, taro.recontact_ok) == (
        "山﨑 太郎",
        "ヤマザキ タロウ",
        Stage.FINAL_INTERVIEW,
        False,
    )
    assert not ImportUpload.objects.filter(pk=upload.pk).exists()


def test_a_clean_file_imports_all_or_nothing_without_skips(employer):
    upload = _upload(employer, csv_bytes(GOOD_AND_BAD[:2], encoding="utf-8-sig"))
    assert importing.import_upload(actor=SYSTEM, upload=upload).created == 2


def test_uploads_expire_after_a_day(employer):
    old = _upload(employer, csv_bytes(GOOD_AND_BAD[:1]))
    ImportUpload.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=1, minutes=1))
    assert importing.get_upload(organisation=employer, pk=old.pk) is None
    _upload(employer, csv_bytes(GOOD_AND_BAD[:1]))  # a new upload sweeps expired ones
    assert not ImportUpload.objects.filter(pk=old.pk).exists()


def test_an_upload_is_found_only_by_its_own_company(employer, outsider):
    upload = _upload(employer, csv_bytes(GOOD_AND_BAD[:1]))
    other = outsider.memberships.get().organisation
    assert importing.get_upload(organisation=other, pk=upload.pk) is None
    assert importing.get_upload(organisation=employer, pk=upload.pk) == upload


def test_the_sweep_command_deletes_only_expired_uploads(employer):
    old = _upload(employer, csv_bytes(GOOD_AND_BAD[:1]))
    fresh = _upload(employer, csv_bytes(GOOD_AND_BAD[:1]))
    ImportUpload.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    call_command("sweep_applicant_uploads", stdout=io.StringIO())
    assert list(ImportUpload.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_a_comma_file_whose_cells_hold_tabs_and_semicolons_stays_a_comma_file():
    text = '氏名,メールアドレス,評価メモ\r\n髙橋 花子,h@example.jp,"良い;\t丁寧;\tまた"\r\n'
    assert importing.sniff_delimiter(text) == ","
