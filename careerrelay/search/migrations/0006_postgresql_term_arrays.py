"""PostgreSQL keeps each document's postings in its own row (issue 14); SQLite is not changed.

On PostgreSQL a posting row cost ~90 bytes however small its four integers (tuple header, line
pointer, primary-key B-tree entry): 6.1 KB a profile. Here each document row gets its term ids as
`term_ids integer[]` (sorted, with a GIN index) and, at the same positions, `term_weights
integer[]` (weight × 32 + field bits); search_posting is left empty (the model stays, for SQLite and
for the ORM's cascades). The documents are copied aside with their arrays, both tables truncated
and the documents written back (an UPDATE of every row would leave the table twice its size), so
a deployed site keeps its index and needs no rebuild_search_index. Going back refills the postings
from the arrays and drops them."""

from django.db import migrations

FIELD_SPACE = 32


def _document_columns(cursor) -> list[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = 'search_searchdocument' ORDER BY ordinal_position"
    )
    return [f'"{name}"' for (name,) in cursor.fetchall()]


def postings_into_documents(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        columns = ", ".join(_document_columns(cursor))
        from_documents = ", ".join(f"d.{c}" for c in _document_columns(cursor))
        cursor.execute(
            f"CREATE TEMPORARY TABLE search_document_v6 ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {from_documents}, COALESCE(p.ids, '{{}}') AS term_ids, COALESCE(p.ws, '{{}}') AS term_weights "
            f"FROM search_searchdocument d LEFT JOIN ("
            f"SELECT document_id, array_agg(term_id ORDER BY term_id) AS ids, "
            f"array_agg(weight * {FIELD_SPACE} + fields ORDER BY term_id) AS ws "
            f"FROM search_posting GROUP BY document_id) p ON p.document_id = d.candidate_id"
        )
        cursor.execute("TRUNCATE search_posting, search_searchdocument")
        cursor.execute(
            "ALTER TABLE search_searchdocument "
            "ADD COLUMN term_ids integer[] NOT NULL DEFAULT '{}', "
            "ADD COLUMN term_weights integer[] NOT NULL DEFAULT '{}'"
        )
        cursor.execute(
            f"INSERT INTO search_searchdocument ({columns}, term_ids, term_weights) "  # noqa: S608
            f"SELECT {columns}, term_ids, term_weights FROM search_document_v6 ORDER BY candidate_id"
        )
        # The rows just written have deferred foreign-key checks pending, and PostgreSQL will not
        # index a table with pending trigger events: check them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute('CREATE INDEX "search_doc_term_ids" ON search_searchdocument USING gin (term_ids)')
        cursor.execute("ANALYZE search_searchdocument")


def documents_into_postings(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO search_posting (document_id, term_id, weight, fields) "
            f"SELECT d.candidate_id, u.term_id, u.w / {FIELD_SPACE}, mod(u.w, {FIELD_SPACE}) "
            f"FROM search_searchdocument d, unnest(d.term_ids, d.term_weights) u(term_id, w) "
            f"ORDER BY u.term_id, d.candidate_id"
        )
        cursor.execute('DROP INDEX "search_doc_term_ids"')
        cursor.execute("ALTER TABLE search_searchdocument DROP COLUMN term_ids, DROP COLUMN term_weights")


class Migration(migrations.Migration):
    atomic = True

    dependencies = [
        ("search", "0005_compact_postings"),
    ]

    operations = [
        migrations.RunPython(postings_into_documents, documents_into_postings),
    ]
