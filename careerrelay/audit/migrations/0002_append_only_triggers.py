"""Audit events refuse UPDATE (and DELETE on PostgreSQL) in the database itself, not only in the ORM.

The one update allowed is the database setting `actor_user_id` or `organisation_id` to NULL
when that user or organisation is deleted (on_delete=SET_NULL); every other column is fixed.
"""

from django.db import migrations

FIXED = ["actor_kind", "action", "subject_key", "object_type", "object_id", "detail", "ip", "user_agent", "created_at"]
NULLABLE = ["actor_user_id", "organisation_id"]


def _sqlite_changed():
    fixed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in ["id", *FIXED])
    fks = " OR ".join(f"(NEW.{c} IS NOT NULL AND NEW.{c} IS NOT OLD.{c})" for c in NULLABLE)
    return f"{fixed} OR {fks}"


def _pg_changed():
    fixed = " OR ".join(f"NEW.{c}::text IS DISTINCT FROM OLD.{c}::text" for c in ["id", *FIXED])
    fks = " OR ".join(f"(NEW.{c} IS NOT NULL AND NEW.{c} IS DISTINCT FROM OLD.{c})" for c in NULLABLE)
    return f"{fixed} OR {fks}"


SQLITE = [
    f"""CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       WHEN {_sqlite_changed()}
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
    # No DELETE trigger on SQLite: Django's test runner empties tables with DELETE there (on
    # PostgreSQL it uses TRUNCATE, which row triggers do not see). SQLite is the development
    # database; the model refuses deletes on both.
]
SQLITE_REVERSE = ["DROP TRIGGER audit_event_no_update;"]

POSTGRES = [
    f"""CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' OR {_pg_changed()} THEN
           RAISE EXCEPTION 'audit events are append-only';
         END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();""",
    # TRUNCATE skips row triggers; the test runner's flush between transactional tests uses it.
]
POSTGRES_REVERSE = [
    "DROP TRIGGER audit_event_append_only ON audit_auditevent;",
    "DROP FUNCTION audit_event_append_only();",
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
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
