"""The ``mashang`` command: every management command of the project under one entry.

    mashang migrate             create or update the database
    mashang load_demo           load the demo zone (repeatable: same seed, same data)
    mashang runserver 8000      serve on 127.0.0.1:8000
    mashang help                list every command
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["mashang", *sys.argv[1:]])


if __name__ == "__main__":
    main()
