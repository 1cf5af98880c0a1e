"""SQLite: a deleted search document takes its bigram tokens out of the FTS5 table with it.

The table keeps no copy of its tokens (content=''), so removing an entry needs the tokens it was
given; the trigger computes them from the deleted document's text with `talent_bigram_tokens`, the
SQL function every connection gets (talent.apps). Without it a deleted applicant's name, address
and notes stayed in the index as bigram codes, which can be read back. PostgreSQL's GIN index
follows the rows by itself."""

from django.db import migrations

TRIGGER = """
CREATE TRIGGER talent_pooldocument_bigrams_deleted AFTER DELETE ON talent_pooldocument
BEGIN
    INSERT INTO talent_pool_bigrams(talent_pool_bigrams, rowid, bigrams)
    VALUES ('delete', old.applicant_id, talent_bigram_tokens(old.text));
END
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(TRIGGER)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER talent_pooldocument_bigrams_deleted")


class Migration(migrations.Migration):
    dependencies = [
        ("talent", "0009_pool_filter_indexes"),
    ]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger, elidable=False),
    ]
