"""The files under each app's sql/ folder are the current text of the database's functions, triggers and views.

Every function, trigger and view the project keeps in the database has one file,
`<app>/sql/{functions,triggers,views}/<name>.sql`, holding one CREATE OR REPLACE statement; the migrations
keep their own frozen copies. On the migrated test database each file is run in a transaction that is rolled
back, and nothing in the database may change: a file that says something else than the database (a trigger
redefined by a new migration while its file was left behind, or the other way round) changes an object and
fails here. Functions compare by pg_get_functiondef, which keeps the body as written, comments included;
triggers and views by PostgreSQL's normalised definitions.
"""

import difflib
import re
from pathlib import Path

import pytest
from django.db import connection, transaction

ROOT = Path(__file__).resolve().parent.parent
KINDS = {"functions": "FUNCTION", "triggers": "TRIGGER", "views": "VIEW"}
FILES = sorted(ROOT.glob("*/sql/**/*.sql"))
CREATE = re.compile(r"\bCREATE\s+(?:OR\s+REPLACE\s+)?(FUNCTION|TRIGGER|VIEW)\s+(\w+)", re.IGNORECASE)

# Objects in the public schema that no extension brought, each under a key that tells overloads and
# same-named triggers of different tables apart (partitions' clones of a trigger left out).
OBJECTS = """
SELECT 'FUNCTION', p.proname, format('%s(%s)', p.proname, pg_get_function_identity_arguments(p.oid)),
       pg_get_functiondef(p.oid)
  FROM pg_proc p
 WHERE p.pronamespace = 'public'::regnamespace AND p.prokind IN ('f', 'p')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
UNION ALL
SELECT 'TRIGGER', t.tgname, format('%s on %s', t.tgname, t.tgrelid::regclass), pg_get_triggerdef(t.oid)
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace
   -- A partition's copy of its partitioned table's trigger follows that trigger: one file for both.
   AND t.tgparentid = 0
UNION ALL
SELECT 'VIEW', c.relname, c.relname, pg_get_viewdef(c.oid)
  FROM pg_class c
 WHERE c.relkind IN ('v', 'm') AND c.relnamespace = 'public'::regnamespace
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
"""


def database_objects() -> dict[tuple[str, str], str]:
    """(kind, key) -> the database's definition, for every object the project owns."""
    with connection.cursor() as cursor:
        cursor.execute(OBJECTS)
        return {(kind, key): definition for kind, _name, key, definition in cursor.fetchall()}


def database_names() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(OBJECTS)
        return [(kind, name) for kind, name, _key, _definition in cursor.fetchall()]


def label(path: Path) -> str:
    return str(path.relative_to(ROOT))


def named_object(path: Path) -> tuple[str, str]:
    """(kind, name) that the file's place says it defines."""
    return KINDS.get(path.parent.name, path.parent.name), path.stem


def without_comments(text: str) -> str:
    return re.sub(r"--[^\n]*", "", text)


@pytest.mark.django_db
def test_every_object_in_the_database_has_one_file():
    names = database_names()
    assert len(names) == len(set(names)), "two objects share a kind and name; a file names one object"
    missing = sorted(set(names) - {named_object(path) for path in FILES})
    assert not missing, f"no file under <app>/sql/ for {missing}"


@pytest.mark.django_db
def test_every_file_names_an_object_of_the_database():
    files = [named_object(path) for path in FILES]
    assert len(files) == len(set(files)), "two files name the same object"
    unknown = sorted(set(files) - set(database_names()))
    assert not unknown, f"files for objects the database does not have: {unknown}"


@pytest.mark.parametrize("path", FILES, ids=label)
def test_the_file_holds_one_create_statement_of_its_object(path):
    assert path.parent.name in KINDS, f"{label(path)}: sql/ holds functions/, triggers/ and views/ only"
    statements = CREATE.findall(without_comments(path.read_text()))
    kind, name = named_object(path)
    assert [(found.upper(), found_name) for found, found_name in statements] == [(kind, name)]
    assert re.search(r"\bCREATE\s+OR\s+REPLACE\b", path.read_text(), re.IGNORECASE), (
        f"{label(path)}: CREATE OR REPLACE, so that the file runs on a database that has the object"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("path", FILES, ids=label)
def test_the_file_is_the_databases_current_definition(path):
    before = database_objects()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(path.read_text())
        after = database_objects()
        transaction.set_rollback(True)

    changed = sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))
    diffs = [
        "".join(
            difflib.unified_diff(
                (before.get(key, "") + "\n").splitlines(keepends=True),
                (after.get(key, "") + "\n").splitlines(keepends=True),
                f"database: {key[1]}",
                f"{label(path)}: {key[1]}",
            )
        )
        for key in changed
    ]
    assert not changed, f"{label(path)} is not what the database holds:\n" + "\n".join(diffs)


def test_no_migration_builds_its_sql_from_another_migrations_text():
    readers = [
        label(path)
        for path in sorted(ROOT.glob("*/migrations/0*.py"))
        if re.search(r"import_module|\bmigrations\.0\d{3}_|from \.0\d{3}_", path.read_text())
    ]
    assert not readers, f"migrations that read other migrations' text (write the SQL out instead): {readers}"
