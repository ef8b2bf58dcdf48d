"""The ``coproduce`` command.

``coproduce pb ...`` runs the participatory-budgeting tools without starting Django (they are pure
computation and should start fast); everything else is a Django management command, so
``coproduce migrate``, ``coproduce audit verify`` and ``coproduce load_demo`` all work.
"""

import os
import sys

PURE_COMMANDS = {
    "pb": "Participatory budgeting: 'coproduce pb tally FILE.pb --rule mes' (no database needed).",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] == "pb":
        from coproduce.methods.pb.cli import main as pb_main

        return pb_main(argv[2:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.settings")
    from django.core.management import execute_from_command_line

    if len(argv) == 1 or argv[1] in ("help", "--help", "-h"):
        print("Coproduce commands without a database:")
        for name, text in PURE_COMMANDS.items():
            print(f"    {name:<12}{text}")
        print()
    execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
