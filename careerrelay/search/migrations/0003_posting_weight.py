from django.db import migrations, models

SQLITE_POSTINGS = """
CREATE TABLE "search_posting" (
    "term" varchar(64) NOT NULL,
    "document_id" bigint NOT NULL
        REFERENCES "search_searchdocument" ("candidate_id") DEFERRABLE INITIALLY DEFERRED,
    "weight" real NOT NULL,
    "fields" smallint unsigned NOT NULL CHECK ("fields" >= 0),
    PRIMARY KEY ("term", "document_id")
) WITHOUT ROWID
"""


def cluster_postings(apps, schema_editor):
    """A term's postings side by side: SQLite keeps the rows in the primary key's B-tree
    (WITHOUT ROWID); PostgreSQL gets a covering index for index-only scans. The index is rebuilt
    from the candidates with rebuild_search_index, so the table may start empty."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute('DROP TABLE "search_posting"')
            cursor.execute(SQLITE_POSTINGS)
            cursor.execute('CREATE INDEX "search_posting_document_id" ON "search_posting" ("document_id")')
        elif connection.vendor == "postgresql":
            cursor.execute(
                'CREATE INDEX "search_posting_covering" ON "search_posting" ("term", "document_id") '
                'INCLUDE ("weight", "fields")'
            )


def uncluster_postings(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('DROP INDEX IF EXISTS "search_posting_covering"')


class Migration(migrations.Migration):
    dependencies = [("search", "0002_default_synonyms")]

    operations = [
        migrations.RemoveIndex(model_name="searchdocument", name="search_doc_recent"),
        migrations.AddIndex(
            model_name="searchdocument",
            index=models.Index(fields=["notice_version", "updated_epoch"], name="search_doc_recent"),
        ),
        migrations.RenameField(model_name="posting", old_name="tf", new_name="weight"),
        migrations.RunPython(cluster_postings, uncluster_postings),
    ]
