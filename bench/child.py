"""One measured run in a fresh process: `python bench/child.py project|raw STACK_FILE`.

The program runs as `pulumi preview` runs it (preview mode, stack config from the stack file, `__main__.py` or
the baseline executed as a script), under Pulumi's mock runtime standing in for the engine: the same for both
programs. Prints the number of registrations.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from redshift_backup import mockrun  # noqa: E402
from redshift_backup.plan import stack_file_config  # noqa: E402

PROGRAMS = {"project": ROOT / "__main__.py", "raw": ROOT / "bench" / "raw_program.py"}


def main() -> None:
    which, stack_file = sys.argv[1], Path(sys.argv[2])
    stack = stack_file.name.split(".")[1]
    run = mockrun.run_program(stack_file_config(stack_file), preview=True, stack=stack, program=PROGRAMS[which])
    print(len(run.registrations))


if __name__ == "__main__":
    main()
