"""The agency search index: one document per findable candidate and its postings (term → document).

The index holds only candidates that `agency_visible_candidates()` returns; a deleted or withdrawn
candidate's rows are deleted outright (plain DELETEs, nothing kept in an engine's segments)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    candidate = models.OneToOneField(
        "candidates.Candidate", on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    public_id = models.UUIDField()
    # What the filters look at (copied onto every posting too, see Posting.FILTER_COLUMNS).
    prefecture = models.CharField(max_length=2)
    prefectures = models.CharField(max_length=200)  # "|13|14|": where they live and want to work
    job_categories = models.CharField(max_length=400)  # "|engineer_software|sales|"
    years_experience = models.PositiveSmallIntegerField()
    salary_min = models.PositiveIntegerField(null=True)
    salary_max = models.PositiveIntegerField(null=True)
    remote_preference = models.CharField(max_length=16, blank=True)
    profile_updated_at = models.DateTimeField()
    updated_epoch = models.FloatField()  # the same instant as a number: recency is plain arithmetic in SQL
    # The privacy notice the agency-sharing consent was given under: a search keeps only the
    # current one, so a notice change takes everyone out until they consent again.
    notice_version = models.CharField(max_length=32)
    length = models.FloatField()  # weighted number of words, for BM25's length normalisation
    indexed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["notice_version", "updated_epoch"], name="search_doc_recent"),
            models.Index(fields=["prefecture"], name="search_doc_prefecture"),
        ]


class Posting(models.Model):
    """A term of one document: its BM25 term weight (the field-weighted count, saturated and
    normalised by the document's length when indexed, so a search only multiplies by the idf)
    and which fields it came from (a bit set).

    Each posting also carries copies of its document's filter columns (FILTER_COLUMNS), so a
    search reads the postings of its words and nothing else, and it is stored clustered by
    (term, document): WITHOUT ROWID on SQLite, a covering index on PostgreSQL (migrations 0003 and
    0004). Reading a term's postings, filters included, touches one B-tree."""

    FILTER_COLUMNS = (
        "prefectures",
        "job_categories",
        "years_experience",
        "salary_min",
        "salary_max",
        "remote_preference",
        "updated_epoch",
        "notice_version",
    )

    pk = models.CompositePrimaryKey("term", "document")
    term = models.CharField(max_length=64)
    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="postings")
    weight = models.FloatField()
    fields = models.PositiveSmallIntegerField()
    prefectures = models.CharField(max_length=200, default="")
    job_categories = models.CharField(max_length=400, default="")
    years_experience = models.PositiveSmallIntegerField(default=0)
    salary_min = models.PositiveIntegerField(null=True)
    salary_max = models.PositiveIntegerField(null=True)
    remote_preference = models.CharField(max_length=16, blank=True, default="")
    updated_epoch = models.FloatField(default=0.0)
    notice_version = models.CharField(max_length=32, default="")


class Synonym(models.Model):
    """Words that mean the same to a recruiter: a search for one finds profiles with any of them."""

    terms = models.TextField(
        _("同義語"),
        help_text=_("同じ意味の語をカンマまたは改行で区切って入力します(例: PM, プロジェクトマネージャー, プロマネ)。"),
    )
    note = models.CharField(_("メモ"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("同義語")
        verbose_name_plural = _("同義語")
        ordering = ["id"]

    def __str__(self):
        return ", ".join(self.term_list())

    def term_list(self) -> list[str]:
        import re

        return [t.strip() for t in re.split(r"[,、,\n]", self.terms or "") if t.strip()]
