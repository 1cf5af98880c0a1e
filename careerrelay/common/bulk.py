"""Many new rows into one table without a model instance per row (imports of thousands of rows).

`bulk_create` builds a model instance for every row and asks each field to prepare each value;
for 10,000 applicants with their applications, search documents and audit entries that was most
of an import's time (bench/csv_import_bench.py). `insert_rows` takes plain dicts keyed by field
name, prepares only the values that need it (dates, date-times, UUIDs, JSON; each distinct value
once) and writes them with PostgreSQL's COPY, or multi-row INSERTs on SQLite. It runs inside
the caller's transaction; defaults are the model fields' own, constraints are the database's.
"""

import contextlib
import gc
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.db import connections, models, router
from django.utils import timezone


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while a batch builds tens of thousands of small dicts and
    lists that all stay alive until it ends: each collection would walk them all again for
    nothing (a third of the cleaning time of a 10,000-row import). Reference counting still
    frees everything as usual; collection resumes afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# Fields whose Python value the drivers take as it is.
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.AutoField,
    models.BigAutoField,
    models.ForeignKey,
)


def _preparer(field: models.Field, connection) -> Callable[[Any], Any] | None:
    if isinstance(field, _PLAIN) and not isinstance(field, models.GenericIPAddressField):
        return None
    memo: dict = {}
    if isinstance(field, models.JSONField):
        # As text: COPY's text format and SQLite both take JSON as its text; the same few
        # values (an audit entry's detail) are dumped once each.
        encoder = field.encoder

        def prepare_json(value):
            if value is None:
                return None
            try:
                key = tuple(value.items()) if isinstance(value, dict) else value
                hash(key)
            except TypeError:
                key = json.dumps(value, sort_keys=True, cls=encoder)
            try:
                return memo[key]
            except KeyError:
                memo[key] = prepared = json.dumps(value, cls=encoder)
                return prepared

        return prepare_json

    def prepare(value):
        if value is None:
            return None
        try:
            return memo[value]
        except KeyError:
            memo[value] = prepared = field.get_db_prep_save(value, connection)
            return prepared

    return prepare


def _defaults(model: type[models.Model], names: Sequence[str]) -> dict[str, Any]:
    now = timezone.now()
    return {
        field.name: now
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        else field.get_default()
        for field in model._meta.concrete_fields
        if field.name not in names
    }


def insert_rows(model: type[models.Model], rows: Sequence[dict], *, with_ids: bool = False) -> list[int]:
    """Insert `rows` (dicts of field name -> value, all with the same keys) and return the new
    primary keys in row order when `with_ids`. Fields a row leaves out get their default, which
    is read once for all rows (a date-time default is the same moment for the whole batch)."""
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    names = list(rows[0])
    defaults = _defaults(model, [*names, meta.pk.name])
    fields = [meta.get_field(name) for name in names] + [meta.get_field(name) for name in defaults]
    preparers = [_preparer(field, connection) for field in fields]
    constant = [
        prepare(value) if prepare is not None else value
        for prepare, value in zip(preparers[len(names) :], defaults.values(), strict=True)
    ]
    varying = list(enumerate(preparers[: len(names)]))

    def values(row: dict) -> list:
        out = [row[name] for name in names]
        for index, prepare in varying:
            if prepare is not None:
                out[index] = prepare(out[index])
        out += constant
        return out

    columns = [field.column for field in fields]
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            ids: list[int] = []
            pk_column = meta.pk.column
            if with_ids:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [meta.db_table, pk_column, len(rows)],
                )
                ids = [pk for (pk,) in cursor.fetchall()]
                columns = [pk_column, *columns]
            quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
            # psycopg's own cursor, so its errors go through Django's wrapper (a unique
            # violation is Django's IntegrityError, as with any other query).
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                if with_ids:
                    for pk, row in zip(ids, rows, strict=True):
                        copy.write_row([pk, *values(row)])
                else:
                    for row in rows:
                        copy.write_row(values(row))
            return ids
        quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
        one = "(" + ", ".join(["%s"] * len(columns)) + ")"
        if not with_ids:
            # Table and column names from the model's meta, quoted; the values are parameters.
            sql = f"INSERT INTO {table} ({quoted}) VALUES {one}"  # noqa: S608
            cursor.executemany(sql, [values(row) for row in rows])
            return []
        # SQLite: multi-row INSERT ... RETURNING, as many rows a statement as its limit on
        # parameters allows. The ids come back in the order of the VALUES (as bulk_create has
        # them too).
        limit = _sqlite_parameter_limit(connection)
        per_statement = max(1, limit // len(columns))
        ids = []
        pk = connection.ops.quote_name(meta.pk.column)
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = [value for row in chunk for value in values(row)]
            sql = f"INSERT INTO {table} ({quoted}) VALUES {', '.join([one] * len(chunk))} RETURNING {pk}"  # noqa: S608
            cursor.execute(sql, params)
            ids += [pk_value for (pk_value,) in cursor.fetchall()]
        return ids


def _sqlite_parameter_limit(connection) -> int:
    import sqlite3

    connection.ensure_connection()
    return int(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
