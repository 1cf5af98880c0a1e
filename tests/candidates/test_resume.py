"""Résumé upload: judged by content (not the name), zip bombs refused from the central directory
without unpacking, stored under a random name outside anything served, handed out only as a
download to the person."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from careerrelay.candidates.models import Resume
from careerrelay.privacy.access import open_resume_for
from tests.factories import CandidateFactory
from tests.helpers.candidates import sign_in_candidate

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def docx_bytes(document=b"<w:document/>", extra=()):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", document)
        for name, data in extra:
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def hanako(client):
    candidate = CandidateFactory(status="verified")
    sign_in_candidate(client, candidate)
    return candidate


def upload(client, name, content):
    return client.post("/me/resume/", {"file": SimpleUploadedFile(name, content)})


def stored_files(settings):
    folder = Path(settings.MEDIA_ROOT) / "resumes"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def assert_refused(response, message, settings):
    assert response.status_code == 400
    assert message in response.text
    assert "ファイルを受け付けられませんでした。" in response.text
    assert Resume.objects.count() == 0
    assert stored_files(settings) == []


def test_a_pdf_is_stored_under_a_random_name_and_downloaded_as_an_attachment(client, hanako, settings):
    response = upload(client, "職務経歴書.pdf", PDF)
    assert response.status_code == 302
    resume = Resume.objects.get(candidate=hanako)
    assert resume.kind == "pdf"
    assert resume.original_name == "職務経歴書.pdf"
    assert stored_files(settings) == [resume.stored_name]
    assert "職務経歴書" not in resume.stored_name
    assert len(Path(resume.stored_name).stem) == 32

    download = client.get("/me/resume/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "no-cache" in download["Cache-Control"] or "no-store" in download["Cache-Control"]


def test_a_docx_is_accepted(client, hanako):
    assert upload(client, "resume.DOCX", docx_bytes()).status_code == 302
    resume = Resume.objects.get()
    assert (resume.kind, resume.original_name) == ("docx", "resume.docx")
    download = client.get("/me/resume/download/")
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("cv.pdf", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200),  # a Linux executable renamed
        ("cv.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),  # a Windows executable renamed
        ("cv.docx", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),
        ("cv.pdf", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_a_renamed_executable_is_refused_and_nothing_is_stored(client, hanako, settings, name, content):
    response = upload(client, name, content)
    assert_refused(response, "PDFまたはWord(.docx)のファイルではないようです。", settings)


def test_a_zip_that_is_not_a_word_file_is_refused(client, hanako, settings):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", b"MZ")
    assert_refused(
        upload(client, "cv.docx", buffer.getvalue()), "Word(.docx)のファイルとして読み取れませんでした。", settings
    )


def test_a_broken_zip_is_refused(client, hanako, settings):
    assert_refused(
        upload(client, "cv.docx", b"PK\x03\x04" + b"\x00" * 100),
        "Word(.docx)のファイルとして読み取れませんでした。",
        settings,
    )


def test_a_zip_bomb_disguised_as_docx_is_refused_without_unpacking(client, hanako, settings):
    bomb = docx_bytes(document=b"<w:document>" + b"0" * (30 * 1024 * 1024) + b"</w:document>")
    assert len(bomb) < 200 * 1024  # small on the wire, 30 MB once unpacked
    assert_refused(upload(client, "resume.docx", bomb), "展開後のサイズが大きすぎる", settings)


def test_a_small_but_extremely_compressed_member_is_refused_too(client, hanako, settings):
    dense = docx_bytes(extra=[("word/media/image1.png", b"\x00" * (5 * 1024 * 1024))])
    assert_refused(upload(client, "resume.docx", dense), "展開後のサイズが大きすぎる", settings)


def test_a_file_over_five_megabytes_is_refused(client, hanako, settings):
    big = PDF + b"0" * (5 * 1024 * 1024)
    assert_refused(upload(client, "cv.pdf", big), "ファイルが大きすぎます(5MBまで)。", settings)


def test_the_extension_must_match_the_content(client, hanako, settings):
    assert_refused(upload(client, "cv.docx", PDF), "ファイルの拡張子と中身の形式が一致しません。", settings)
    assert_refused(upload(client, "cv.exe", PDF), "PDF(.pdf)またはWord(.docx)のファイルを選んでください。", settings)


def test_sending_no_file_is_a_form_error(client, hanako):
    response = client.post("/me/resume/", {})
    assert response.status_code == 400
    assert "ファイルを選んでください。" in response.text


def test_replacing_the_file_removes_the_old_one_from_disk(client, hanako, settings, django_capture_on_commit_callbacks):
    upload(client, "old.pdf", PDF)
    old_name = Resume.objects.get().stored_name
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, "new.docx", docx_bytes())
    resume = Resume.objects.get()
    assert resume.original_name == "new.docx"
    assert stored_files(settings) == [resume.stored_name]
    assert old_name not in stored_files(settings)


def test_deleting_the_file_removes_it_from_disk(client, hanako, settings, django_capture_on_commit_callbacks):
    upload(client, "cv.pdf", PDF)
    assert client.get("/me/resume/delete/").status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/me/resume/delete/", follow=True)
    assert "履歴書を削除しました。" in response.text
    assert Resume.objects.count() == 0
    assert stored_files(settings) == []
    assert client.get("/me/resume/download/").status_code == 404


def test_no_url_serves_the_stored_files(client, hanako):
    upload(client, "cv.pdf", PDF)
    name = Resume.objects.get().stored_name
    for path in (f"/media/resumes/{name}", f"/resumes/{name}", f"/static/resumes/{name}"):
        assert client.get(path).status_code == 404


def test_only_the_candidate_may_open_the_file_until_sharing_exists(client, hanako, owner):
    upload(client, "cv.pdf", PDF)
    opened = open_resume_for(hanako, hanako)
    with opened.file:
        assert opened.file.read() == PDF
    with pytest.raises(PermissionDenied):
        open_resume_for(hanako, CandidateFactory())
    with pytest.raises(PermissionDenied):
        open_resume_for(hanako, owner)
