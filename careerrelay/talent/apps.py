from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _register_sqlite_functions(sender, connection, **kwargs):
    """SQLite: the bigram tokens of a search document as SQL, for the trigger that takes a deleted
    document out of the FTS5 index (migration talent 0010)."""
    if connection.vendor == "sqlite":
        from careerrelay.talent.pool_search import bigram_tokens

        connection.connection.create_function("talent_bigram_tokens", 1, bigram_tokens, deterministic=True)


class TalentConfig(AppConfig):
    name = "careerrelay.talent"

    def ready(self):
        connection_created.connect(_register_sqlite_functions, dispatch_uid="talent_sqlite_functions")
