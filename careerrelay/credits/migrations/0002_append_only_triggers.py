"""The ledger refuses UPDATE and DELETE in the database itself, not only in the ORM."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER credits_ledger_no_update BEFORE UPDATE ON credits_ledgerentry
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;""",
    # No DELETE trigger on SQLite: Django's test runner empties tables with DELETE there (on
    # PostgreSQL it uses TRUNCATE, which row triggers do not see). SQLite is the development
    # database; the model refuses deletes on both.
]
SQLITE_REVERSE = ["DROP TRIGGER credits_ledger_no_update;"]

POSTGRES = [
    """CREATE FUNCTION credits_ledger_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'ledger entries are append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER credits_ledger_append_only BEFORE UPDATE OR DELETE ON credits_ledgerentry
       FOR EACH ROW EXECUTE FUNCTION credits_ledger_append_only();""",
    # TRUNCATE skips row triggers; the test runner's flush between transactional tests uses it,
    # so it stays allowed for the table owner.
]
POSTGRES_REVERSE = [
    "DROP TRIGGER credits_ledger_append_only ON credits_ledgerentry;",
    "DROP FUNCTION credits_ledger_append_only();",
]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    statements = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("credits", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
