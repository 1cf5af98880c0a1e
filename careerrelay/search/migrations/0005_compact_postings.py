"""Compact postings (issue 14): a term dictionary and postings of four small integers.

The old postings table (the term as text, the weight as a float and copies of eight filter
columns, ~8 KB a profile on SQLite and more on PostgreSQL) is renamed aside, the new one is
filled from it in SQL (each distinct term once into search_term, each posting's weight in units
of 1/Posting.WEIGHT_SCALE) and the old one dropped, so a deployed site keeps its index and needs
no rebuild_search_index afterwards. Going back is not supported (rebuild the index instead)."""

import django.db.models.deletion
from django.db import migrations, models

WEIGHT_SCALE = 10_000

SQLITE_POSTINGS = """
CREATE TABLE "search_posting" (
    "document_id" bigint NOT NULL
        REFERENCES "search_searchdocument" ("candidate_id") DEFERRABLE INITIALLY DEFERRED,
    "term_id" integer NOT NULL REFERENCES "search_searchterm" ("id") DEFERRABLE INITIALLY DEFERRED,
    "weight" smallint unsigned NOT NULL CHECK ("weight" >= 0),
    "fields" smallint unsigned NOT NULL CHECK ("fields" >= 0),
    PRIMARY KEY ("term_id", "document_id")
) WITHOUT ROWID
"""


def set_old_postings_aside(apps, schema_editor):
    """Rename the old table and drop its indexes, whose names the new table's would clash with."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute('ALTER TABLE "search_posting" RENAME TO "search_posting_v4"')
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT conname FROM pg_constraint WHERE conrelid = 'search_posting_v4'::regclass AND contype <> 'c'"
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'ALTER TABLE "search_posting_v4" DROP CONSTRAINT "{name}"')
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'search_posting_v4'")
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'search_posting_v4' AND sql IS NOT NULL"
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')


def fill_compact_postings(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # CreateModel made an ordinary rowid table: keep the postings clustered by term instead.
            cursor.execute('DROP TABLE "search_posting"')
            cursor.execute(SQLITE_POSTINGS)
            cursor.execute('CREATE INDEX "search_posting_document_id" ON "search_posting" ("document_id")')
        cursor.execute(
            'INSERT INTO "search_searchterm" ("term") SELECT DISTINCT "term" FROM "search_posting_v4" ORDER BY 1'
        )
        cursor.execute(
            'INSERT INTO "search_posting" ("document_id", "term_id", "weight", "fields") '
            'SELECT p."document_id", t."id", CAST(ROUND(p."weight" * %s) AS integer), p."fields" '
            'FROM "search_posting_v4" p JOIN "search_searchterm" t ON t."term" = p."term" '
            'ORDER BY t."id", p."document_id"',
            [WEIGHT_SCALE],
        )
        cursor.execute('DROP TABLE "search_posting_v4"')


class Migration(migrations.Migration):
    atomic = True

    dependencies = [
        ("search", "0004_posting_filter_columns"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchTerm",
            fields=[
                ("id", models.AutoField(primary_key=True, serialize=False)),
                ("term", models.CharField(max_length=64, unique=True)),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(set_old_postings_aside)],
            state_operations=[migrations.DeleteModel(name="Posting")],
        ),
        migrations.CreateModel(
            name="Posting",
            fields=[
                ("pk", models.CompositePrimaryKey("term", "document", blank=True, editable=False, serialize=False)),
                (
                    "document",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="postings",
                        to="search.searchdocument",
                    ),
                ),
                (
                    "term",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="postings",
                        to="search.searchterm",
                    ),
                ),
                ("weight", models.PositiveSmallIntegerField()),
                ("fields", models.PositiveSmallIntegerField()),
            ],
        ),
        migrations.RunPython(fill_compact_postings),
    ]
