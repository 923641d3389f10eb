"""`python -m bot`."""

from __future__ import annotations

import sys

from bot.cli import main

# Guarded: the worker process that reads big posts imports this module again (multiprocessing's "spawn").
if __name__ == "__main__":
    sys.exit(main())
