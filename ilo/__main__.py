"""``python -m ilo`` and the ``ilo`` console script."""

import os
import sys


def entry() -> None:
    """Run the CLI, then leave without interpreter teardown when nothing waits for it.

    Tearing down the ~150 modules a run imports costs about 10 ms, more than
    a small program's whole run. The fast exit is skipped when atexit
    handlers are registered or other threads are alive (``ilo mcp``, the
    API's worker pool), or when flushing the standard streams fails."""
    from ilo.cli.main import main

    code = main()
    if isinstance(code, int) and _nothing_pending():
        try:
            for stream in (sys.stdout, sys.stderr):   # None when the descriptor was closed at start
                if stream is not None:
                    stream.flush()
        except (OSError, ValueError):
            raise SystemExit(code) from None
        os._exit(code)
    raise SystemExit(code)


def _nothing_pending() -> bool:
    import atexit

    count = getattr(atexit, "_ncallbacks", None)
    if count is None or count() != 0:
        return False
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


if __name__ == "__main__":
    entry()
