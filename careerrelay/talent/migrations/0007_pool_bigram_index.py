"""An index of character bigrams over the pool's search documents, so a text search reads the
documents that contain every bigram of the query words instead of scanning all of the company's
(talent.pool_search). PostgreSQL: a GIN index over an expression, filled by CREATE INDEX.
SQLite: an FTS5 table of bigram tokens (kept in step by pool_search.reindex_applicants), filled
here from the existing documents. Neither is a model: the ORM never reads them as rows."""

from itertools import pairwise

from django.db import migrations

BATCH = 1000

# Query words never contain whitespace, so bigrams across it are left out. The query side calls
# the same function on the query words.
POSTGRES_FUNCTION = r"""
CREATE FUNCTION talent_pool_bigrams(doc text) RETURNS integer[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
DECLARE
    chars text[] := string_to_array(doc, NULL);
    codes integer[] := '{}';
BEGIN
    FOR i IN 1 .. coalesce(array_length(chars, 1), 0) - 1 LOOP
        IF chars[i] NOT IN (' ', E'\n', E'\t', E'\r') AND chars[i + 1] NOT IN (' ', E'\n', E'\t', E'\r') THEN
            codes := codes || mod(ascii(chars[i])::bigint * 1114112 + ascii(chars[i + 1]), 2147483647)::integer;
        END IF;
    END LOOP;
    RETURN codes;
END
$$
"""


# A frozen copy of talent.pool_search.bigram_tokens (migrations do not import app code).
def sqlite_tokens(text):
    return " w ".join(" ".join(f"{ord(a):x}x{ord(b):x}" for a, b in pairwise(word)) for word in text.split())


def create_index(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        execute(POSTGRES_FUNCTION)
        execute("CREATE INDEX talent_pooldocument_bigrams ON talent_pooldocument USING gin (talent_pool_bigrams(text))")
    elif schema_editor.connection.vendor == "sqlite":
        execute("CREATE VIRTUAL TABLE talent_pool_bigrams USING fts5(bigrams, content='', columnsize=0)")
        PoolDocument = apps.get_model("talent", "PoolDocument")
        rows = PoolDocument.objects.values_list("applicant_id", "text").iterator(chunk_size=BATCH)
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO talent_pool_bigrams(rowid, bigrams) VALUES (%s, %s)",
                ((pk, sqlite_tokens(text)) for pk, text in rows),
            )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX talent_pooldocument_bigrams")
        schema_editor.execute("DROP FUNCTION talent_pool_bigrams(text)")
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE talent_pool_bigrams")


class Migration(migrations.Migration):

    dependencies = [
        ("talent", "0006_pool_documents"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
