"""Data-migration tests: move the test database to a point in the migration history and back."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# Set when a test moved the database away from the latest migrations; the conftest's
# `_latest_migrations_after_a_migration_test` moves it back, so that unapplying an app's
# migrations (and every later app's that depends on them) never leaks into the next test.
_moved = False


def migrate(targets):
    """Migrate to `targets` ([(app_label, migration_name)]) and return the apps as they were
    there, for building rows the way the old code would have."""
    global _moved
    _moved = True
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def restore_latest() -> None:
    """Every app at its latest migration again, when a test moved any."""
    global _moved
    if not _moved:
        return
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    _moved = False
