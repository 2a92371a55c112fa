"""``python -m slapolicy``: the same command line as ``slapolicy``."""

from .cli import main

main()
