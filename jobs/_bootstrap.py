"""Make ``songsage`` importable from a source checkout (plain ``python jobs/x.py`` or ``ray job submit``)."""

import sys
from pathlib import Path

PLATFORM_DIR = Path(__file__).resolve().parents[1] / "platform"
if str(PLATFORM_DIR) not in sys.path:
    sys.path.insert(0, str(PLATFORM_DIR))
