"""For tests that start the site in another process: the address of this test's database."""

from urllib.parse import quote

from django.db import connection


def database_url() -> str:
    """DATABASE_URL for the database this test uses (the test database, on the server the suite uses,
    embedded or not), so that another process sees what the test wrote."""
    db = connection.settings_dict
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    user = f"{quote(db['USER'], safe='')}{password}"
    if host.startswith("/"):  # a socket directory (the embedded database): django-environ reads it as ?host=
        return f"postgres://{user}@{port}/{db['NAME']}?host={quote(host)}"
    return f"postgres://{user}@{host}{port}/{db['NAME']}"
