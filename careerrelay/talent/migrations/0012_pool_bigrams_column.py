"""PostgreSQL: the search documents' bigram codes kept in a column, `bigrams integer[]`, and the
GIN index over that column instead of over the expression `talent_pool_bigrams(text)`.

Maintaining the expression index meant running the PL/pgSQL function once per inserted document
(~70-130 µs each, ~1.3 s of a 10,000-row CSV import, bench/RESULTS.md). A bulk writer
(talent.pool_search.index_new_documents) now sends the codes itself, computed in Python by
`pool_search.bigram_array`, the same codes the function gives (test). Every other writer goes on
writing `text` only: a trigger fills `bigrams` from `talent_pool_bigrams(text)` when a row comes
without codes or its text changes without them, so the column always matches the text. Not a
model field (the ORM never reads it; SQLite keeps its FTS5 table). SQLite: nothing to do."""

from django.db import migrations

FORWARD = r"""
ALTER TABLE talent_pooldocument ADD COLUMN bigrams integer[];
UPDATE talent_pooldocument SET bigrams = talent_pool_bigrams(text);
ALTER TABLE talent_pooldocument ALTER COLUMN bigrams SET NOT NULL;
CREATE FUNCTION talent_pooldocument_fill_bigrams() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.bigrams IS NULL
       OR (TG_OP = 'UPDATE' AND NEW.text IS DISTINCT FROM OLD.text AND NEW.bigrams IS NOT DISTINCT FROM OLD.bigrams) THEN
        NEW.bigrams := talent_pool_bigrams(NEW.text);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER talent_pooldocument_fill_bigrams BEFORE INSERT OR UPDATE ON talent_pooldocument
    FOR EACH ROW EXECUTE FUNCTION talent_pooldocument_fill_bigrams();
DROP INDEX talent_pooldocument_bigrams;
CREATE INDEX talent_pooldocument_bigrams ON talent_pooldocument USING gin (bigrams);
"""

BACKWARD = r"""
DROP INDEX talent_pooldocument_bigrams;
DROP TRIGGER talent_pooldocument_fill_bigrams ON talent_pooldocument;
DROP FUNCTION talent_pooldocument_fill_bigrams();
ALTER TABLE talent_pooldocument DROP COLUMN bigrams;
CREATE INDEX talent_pooldocument_bigrams ON talent_pooldocument USING gin (talent_pool_bigrams(text));
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("talent", "0011_upload_cleaned_rows"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
    ]
