from __future__ import annotations

import sys

from regc.hook_fast import main  # the hook's fast path, then regc.cli.main

if __name__ == "__main__":
    sys.exit(main())
