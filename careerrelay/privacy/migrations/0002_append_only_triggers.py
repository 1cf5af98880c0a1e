"""Provision records refuse UPDATE in the database itself, and DELETE on PostgreSQL until they expire.

The updates allowed are the database setting `candidate_id`, `consent_id` or
`recipient_user_id` to NULL when that row is deleted (on_delete=SET_NULL): the record outlives
the account with only its pseudonymous subject key. Expired records (kept 3 years) are removed
by the retention job, which is the only DELETE PostgreSQL lets through.
"""

from django.db import migrations

FIXED = [
    "subject_key",
    "recipient_organisation_id",
    "items",
    "purpose",
    "consent_notice_version",
    "consent_notice_hash",
    "consent_given_at",
    "channel",
    "created_at",
    "expires_at",
]
NULLABLE = ["candidate_id", "consent_id", "recipient_user_id"]


def _sqlite_changed():
    fixed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in ["id", *FIXED])
    fks = " OR ".join(f"(NEW.{c} IS NOT NULL AND NEW.{c} IS NOT OLD.{c})" for c in NULLABLE)
    return f"{fixed} OR {fks}"


def _pg_changed():
    fixed = " OR ".join(f"NEW.{c}::text IS DISTINCT FROM OLD.{c}::text" for c in ["id", *FIXED])
    fks = " OR ".join(f"(NEW.{c} IS NOT NULL AND NEW.{c} IS DISTINCT FROM OLD.{c})" for c in NULLABLE)
    return f"{fixed} OR {fks}"


SQLITE = [
    f"""CREATE TRIGGER privacy_provision_no_update BEFORE UPDATE ON privacy_provisionrecord
       WHEN {_sqlite_changed()}
       BEGIN SELECT RAISE(ABORT, 'provision records are append-only'); END;""",
    # No DELETE trigger on SQLite: Django's test runner empties tables with DELETE there (see
    # careerrelay/credits/migrations/0002_append_only_triggers.py); the model refuses deletes.
]
SQLITE_REVERSE = ["DROP TRIGGER privacy_provision_no_update;"]

POSTGRES = [
    f"""CREATE FUNCTION privacy_provision_append_only() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' THEN
           IF OLD.expires_at > now() THEN
             RAISE EXCEPTION 'provision records are kept until they expire';
           END IF;
           RETURN OLD;
         END IF;
         IF {_pg_changed()} THEN
           RAISE EXCEPTION 'provision records are append-only';
         END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER privacy_provision_append_only BEFORE UPDATE OR DELETE ON privacy_provisionrecord
       FOR EACH ROW EXECUTE FUNCTION privacy_provision_append_only();""",
    # TRUNCATE skips row triggers; the test runner's flush between transactional tests uses it.
]
POSTGRES_REVERSE = [
    "DROP TRIGGER privacy_provision_append_only ON privacy_provisionrecord;",
    "DROP FUNCTION privacy_provision_append_only();",
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
    dependencies = [("privacy", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
