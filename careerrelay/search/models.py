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
    # On PostgreSQL the row also holds its postings, in two columns that are not model fields
    # (SQLite has no arrays; migration 0006, search/index.py): term_ids integer[] under a GIN
    # index and term_weights integer[]. Write documents through index.write_documents().
    # What the filters look at: on SQLite a search joins each posting to its document for them.
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


class SearchTerm(models.Model):
    """The term dictionary: each distinct term once, so a posting holds a small integer instead of
    the word. A term no posting uses any more is deleted with the last one (index.py), so the
    dictionary keeps no word of a profile that left the index."""

    id = models.AutoField(primary_key=True)
    term = models.CharField(max_length=64, unique=True)


class Posting(models.Model):
    """A term of one document: its BM25 term weight (the field-weighted count, saturated and
    normalised by the document's length when indexed, so a search only multiplies by the idf),
    stored as an integer in units of 1/WEIGHT_SCALE, and which fields it came from (a bit set).

    Nothing else: the filters and recency are read from the document row (one primary-key lookup
    per posting), which keeps a posting at four small integers. Stored clustered by (term,
    document): WITHOUT ROWID on SQLite (migration 0005). On PostgreSQL this table stays empty
    (migration 0006): a row per posting cost ~90 bytes there whatever its size, so the postings
    are arrays in the document rows instead (read them in either layout with index.postings())."""

    WEIGHT_SCALE = 10_000  # BM25's saturated tf is below k1 + 1 = 2.2: at most 22,000, a smallint

    pk = models.CompositePrimaryKey("term", "document")
    # The document first: on PostgreSQL a bigint before the small columns needs no padding.
    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="postings")
    term = models.ForeignKey(SearchTerm, on_delete=models.CASCADE, related_name="postings", db_index=False)
    weight = models.PositiveSmallIntegerField()
    fields = models.PositiveSmallIntegerField()


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
