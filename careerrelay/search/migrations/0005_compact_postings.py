"""Compact postings (issue 14): a term dictionary and postings of four small integers.

The old postings table (the term as text, the weight as a float and copies of eight filter
columns, ~8 KB a profile on SQLite and more on PostgreSQL) is renamed aside, the new one is
filled from it in SQL (each distinct term once into search_term, each posting's weight in units
of 1/Posting.WEIGHT_SCALE) and the old one dropped, so a deployed site keeps its index and needs
no rebuild_search_index afterwards. Going back converts the postings back the same way (weights
then keep four decimals)."""

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
OLD_POSTINGS = """
CREATE TABLE "search_posting_v4" (
    "term" varchar(64) NOT NULL,
    "document_id" bigint NOT NULL
        REFERENCES "search_searchdocument" ("candidate_id") DEFERRABLE INITIALLY DEFERRED,
    "weight" {float} NOT NULL,
    "fields" smallint NOT NULL CHECK ("fields" >= 0),
    "prefectures" varchar(200) NOT NULL,
    "job_categories" varchar(400) NOT NULL,
    "years_experience" smallint NOT NULL CHECK ("years_experience" >= 0),
    "salary_min" integer NULL CHECK ("salary_min" >= 0),
    "salary_max" integer NULL CHECK ("salary_max" >= 0),
    "remote_preference" varchar(16) NOT NULL,
    "updated_epoch" {float} NOT NULL,
    "notice_version" varchar(32) NOT NULL,
    PRIMARY KEY ("term", "document_id")
){without_rowid}
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


def restore_old_postings(apps, schema_editor):
    """Backwards: the old wide postings again, from the compact ones and their documents."""
    connection = schema_editor.connection
    sqlite = connection.vendor == "sqlite"
    columns = ", ".join(f'"{c}"' for c in FILTER_COLUMNS)
    from_documents = ", ".join(f'd."{c}"' for c in FILTER_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            OLD_POSTINGS.format(
                float="real" if sqlite else "double precision", without_rowid=" WITHOUT ROWID" if sqlite else ""
            )
        )
        cursor.execute(
            f'INSERT INTO "search_posting_v4" ("term", "document_id", "weight", "fields", {columns}) '
            f'SELECT t."term", p."document_id", p."weight" * 1.0 / %s, p."fields", {from_documents} '
            f'FROM "search_posting" p JOIN "search_searchterm" t ON t."id" = p."term_id" '
            f'JOIN "search_searchdocument" d ON d."candidate_id" = p."document_id"',
            [WEIGHT_SCALE],
        )


def put_old_postings_back(apps, schema_editor):
    """Backwards: the old table under its name, with the indexes migrations 0003 and 0004 made."""
    connection = schema_editor.connection
    columns = ", ".join(f'"{c}"' for c in FILTER_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The rows just copied have deferred foreign-key checks pending, and PostgreSQL will
            # not index a table with pending trigger events: check them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute('ALTER TABLE "search_posting_v4" RENAME TO "search_posting"')
        cursor.execute('CREATE INDEX "search_posting_document_id" ON "search_posting" ("document_id")')
        if connection.vendor == "postgresql":
            cursor.execute(
                f'CREATE INDEX "search_posting_covering" ON "search_posting" ("term", "document_id") '
                f'INCLUDE ("weight", "fields", {columns})'
            )


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
            database_operations=[migrations.RunPython(set_old_postings_aside, put_old_postings_back)],
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
        migrations.RunPython(fill_compact_postings, restore_old_postings),
    ]
