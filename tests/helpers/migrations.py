"""Data-migration tests: move the test database to a point in the migration history and back."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    """Migrate to `targets` ([(app_label, migration_name)]) and return the apps as they were
    there, for building rows the way the old code would have."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps
