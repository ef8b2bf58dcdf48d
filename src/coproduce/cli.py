"""The ``coproduce`` command.

``coproduce pb ...`` runs the participatory-budgeting tools without starting Django (they are pure
computation and should start fast); everything else is a Django management command, so
``coproduce migrate``, ``coproduce audit verify`` and ``coproduce load_demo`` all work.
"""

import os
import sys
from pathlib import Path

PURE_COMMANDS = {
    "pb": "Participatory budgeting: 'coproduce pb tally FILE.pb --rule mes' (no database needed).",
}


def prepare_sqlite_directories() -> None:
    """Make the directories of the SQLite database files (the main one and the test one).

    SQLite creates a missing file but not a missing directory. The settings create nothing when
    imported, so whatever is about to open the database calls this first: the ``coproduce``
    command below, and the test suite's set-up.
    """
    from django.conf import settings

    for database in settings.DATABASES.values():
        if database["ENGINE"] != "django.db.backends.sqlite3":
            continue
        for name in (database.get("NAME"), (database.get("TEST") or {}).get("NAME")):
            if name and str(name) != ":memory:" and not str(name).startswith("file:"):
                Path(name).parent.mkdir(parents=True, exist_ok=True)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] == "pb":
        from coproduce.methods.pb.cli import main as pb_main

        return pb_main(argv[2:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        prepare_sqlite_directories()
    except ImproperlyConfigured as error:
        # The settings refuse to load (a production site with the demo's key): say why, once.
        print(f"coproduce: {error}", file=sys.stderr)
        return 2
    if len(argv) == 1 or argv[1] in ("help", "--help", "-h"):
        print("Coproduce commands without a database:")
        for name, text in PURE_COMMANDS.items():
            print(f"    {name:<12}{text}")
        print()
    execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
