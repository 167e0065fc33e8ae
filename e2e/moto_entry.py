"""`python -m e2e.moto_entry PORT`: the moto server for the e2e tests, on 127.0.0.1 (prints `ready`)."""

from __future__ import annotations

import sys

from moto.server import ThreadedMotoServer


def main() -> None:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=int(sys.argv[1]), verbose=False)
    server.start()
    print("ready", flush=True)
    server._thread.join()  # type: ignore[union-attr]  # serve until killed


if __name__ == "__main__":
    main()
