"""Create the configured database when the server answers but the database does not exist yet.

`make run`/`make test` call this before migrating, so DATABASE_URL may name a database that is still to
be created on a fresh server. The embedded default always has its database.
"""

import os

import django
import psycopg
from psycopg import sql


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import connection

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    name = params["dbname"]
    try:
        psycopg.connect(**params).close()
        return
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            raise
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    print(f"Created database {name}.")


if __name__ == "__main__":
    main()
