"""The database keeps AvailableCredits in step with the ledger, so its CHECK (available >= 0) refuses
any ledger insert that would spend a credit the organisation does not have.

On SQLite, 0003 rebuilt credits_ledgerentry to add its CHECK constraints, and a rebuilt table
loses its triggers: the append-only trigger of 0002 is created again here.
"""

from django.db import migrations

CREDIT_KINDS = "('credit_granted', 'credit_reserved', 'credit_returned', 'adjustment')"

BACKFILL = f"""
INSERT INTO credits_availablecredits (organisation_id, available)
SELECT organisation_id, SUM(amount) FROM credits_ledgerentry
WHERE kind IN {CREDIT_KINDS} GROUP BY organisation_id
"""

SQLITE = [
    "DROP TRIGGER IF EXISTS credits_ledger_no_update;",
    """CREATE TRIGGER credits_ledger_no_update BEFORE UPDATE ON credits_ledgerentry
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;""",
    BACKFILL,
    f"""CREATE TRIGGER credits_ledger_available AFTER INSERT ON credits_ledgerentry
       WHEN NEW.kind IN {CREDIT_KINDS}
       BEGIN
         INSERT OR IGNORE INTO credits_availablecredits (organisation_id, available)
           VALUES (NEW.organisation_id, 0);
         UPDATE credits_availablecredits SET available = available + NEW.amount
           WHERE organisation_id = NEW.organisation_id;
       END;""",
]
SQLITE_REVERSE = ["DROP TRIGGER credits_ledger_available;", "DELETE FROM credits_availablecredits;"]

POSTGRES = [
    BACKFILL,
    f"""CREATE FUNCTION credits_ledger_available() RETURNS trigger AS $$
       BEGIN
         IF NEW.kind IN {CREDIT_KINDS} THEN
           INSERT INTO credits_availablecredits (organisation_id, available)
             VALUES (NEW.organisation_id, 0) ON CONFLICT (organisation_id) DO NOTHING;
           UPDATE credits_availablecredits SET available = available + NEW.amount
             WHERE organisation_id = NEW.organisation_id;
         END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER credits_ledger_available AFTER INSERT ON credits_ledgerentry
       FOR EACH ROW EXECUTE FUNCTION credits_ledger_available();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER credits_ledger_available ON credits_ledgerentry;",
    "DROP FUNCTION credits_ledger_available();",
    "DELETE FROM credits_availablecredits;",
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
    dependencies = [("credits", "0003_reservations")]
    operations = [migrations.RunPython(forwards, backwards)]
