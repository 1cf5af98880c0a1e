"""Résumé files: checked by content, stored outside any served folder, handed out only as downloads.

Files live in MEDIA_ROOT/resumes under a random name. No URL pattern serves MEDIA_ROOT. Who may read
a file is decided one layer up, in careerrelay/privacy/access.py (open_resume_for), which is the only
caller of open_resume_file() here.
"""

import hashlib
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from careerrelay.candidates.models import Candidate, Resume

DOCX_MAX_UNCOMPRESSED = 20 * 1024 * 1024
DOCX_MAX_RATIO = 100  # a real .docx compresses its XML perhaps 10:1; a zip bomb reaches 1000:1
DOCX_MAX_MEMBERS = 2000
CONTENT_TYPES = {
    Resume.Kind.PDF: "application/pdf",
    Resume.Kind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
EXTENSIONS = {".pdf": Resume.Kind.PDF, ".docx": Resume.Kind.DOCX}


class ResumeRejected(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def resume_storage() -> FileSystemStorage:
    # Built per call so the location follows MEDIA_ROOT (tests point it at a temporary folder).
    # No base_url: the storage cannot produce a URL for these files.
    return FileSystemStorage(location=Path(settings.MEDIA_ROOT) / "resumes", base_url=None)


def check_resume(upload) -> str:
    """The kind ("pdf" or "docx") of an uploaded file, or ResumeRejected with a message for the person.

    Nothing is unpacked: a .docx is judged by its zip central directory (names and declared sizes)."""
    if upload.size > settings.RESUME_MAX_BYTES:
        limit = settings.RESUME_MAX_BYTES // (1024 * 1024)
        raise ResumeRejected(_("ファイルが大きすぎます(%(limit)sMBまで)。") % {"limit": limit})
    if upload.size == 0:
        raise ResumeRejected(_("ファイルが空です。"))
    extension = Path(upload.name or "").suffix.lower()
    expected = EXTENSIONS.get(extension)
    if expected is None:
        raise ResumeRejected(_("PDF(.pdf)またはWord(.docx)のファイルを選んでください。"))
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        kind = Resume.Kind.PDF
    elif head.startswith(b"PK\x03\x04"):
        _check_docx(upload)
        kind = Resume.Kind.DOCX
    else:
        raise ResumeRejected(_("PDFまたはWord(.docx)のファイルではないようです。ファイルの中身をご確認ください。"))
    if kind != expected:
        raise ResumeRejected(_("ファイルの拡張子と中身の形式が一致しません。"))
    return kind


def _check_docx(upload):
    not_docx = _("Word(.docx)のファイルとして読み取れませんでした。")
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ResumeRejected(not_docx) from None
    finally:
        upload.seek(0)
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "word/document.xml" not in names:
        raise ResumeRejected(not_docx)
    total = sum(m.file_size for m in members)
    compressed = sum(m.compress_size for m in members)
    too_dense = any(m.file_size > DOCX_MAX_RATIO * max(m.compress_size, 1) for m in members)
    if len(members) > DOCX_MAX_MEMBERS or total > DOCX_MAX_UNCOMPRESSED or too_dense or total > 50 * max(compressed, 1):
        raise ResumeRejected(_("このWordファイルは展開後のサイズが大きすぎるため、受け付けられません。"))


def _safe_display_name(name: str, kind: str) -> str:
    stem = Path(name or "").stem.replace("/", "_").replace("\\", "_").strip()[:150] or "resume"
    return f"{stem}.{kind}"


@transaction.atomic
def save_resume(*, candidate: Candidate, upload) -> Resume:
    """Check, then store under a new random name; a replaced file is removed once the change commits."""
    kind = check_resume(upload)
    storage = resume_storage()
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    stored_name = storage.save(f"{secrets.token_hex(16)}.{kind}", upload)
    old = Resume.objects.select_for_update().filter(candidate=candidate).first()
    try:  # if recording fails, the new file must not stay behind
        if old is not None:
            old_name = old.stored_name
            old.delete()
            transaction.on_commit(lambda: storage.delete(old_name))
        resume = Resume.objects.create(
            candidate=candidate,
            stored_name=stored_name,
            original_name=_safe_display_name(upload.name, kind),
            kind=kind,
            size=upload.size,
            sha256=digest.hexdigest(),
        )
    except Exception:
        storage.delete(stored_name)
        raise
    return resume


@transaction.atomic
def delete_resume(*, candidate: Candidate) -> bool:
    resume = Resume.objects.select_for_update().filter(candidate=candidate).first()
    if resume is None:
        return False
    name = resume.stored_name
    resume.delete()
    transaction.on_commit(lambda: resume_storage().delete(name))
    return True


@dataclass
class OpenedResume:
    file: object  # an open binary file; the caller's response closes it
    filename: str
    content_type: str
    resume: Resume


def open_resume_file(candidate: Candidate) -> OpenedResume:
    """Open the candidate's stored file; raises Resume.DoesNotExist when there is none.

    It decides nothing about who may read it: call privacy.access.open_resume_for, which does."""
    resume = Resume.objects.get(candidate=candidate)
    handle = resume_storage().open(resume.stored_name, "rb")
    return OpenedResume(
        file=handle, filename=resume.original_name, content_type=CONTENT_TYPES[resume.kind], resume=resume
    )
