"""Make the pack's modules and the project's pure core importable, as __main__.py does when the engine runs it."""

import sys
from pathlib import Path

PACK_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = PACK_DIR.parent

for path in (str(PACK_DIR), str(REPO_ROOT)):
    if path not in sys.path:
        sys.path.insert(0, path)
