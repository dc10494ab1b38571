"""``python -m musclewise``: the same as the ``musclewise`` command."""

from musclewise.cli import main

main()
