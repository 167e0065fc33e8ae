"""A moto server with this project's extensions, for tests and for a standalone process (the real engine).

    python -m tests.support.moto_server --port 5000

prints `listening on http://127.0.0.1:<port>` once it serves, and serves until killed. Point boto3 at it with
`AWS_ENDPOINT_URL` and any fake credentials.
"""

from __future__ import annotations

import argparse
import socket
import threading

from moto.server import ThreadedMotoServer

from tests.support import moto_backup, moto_redshift


def install() -> None:
    """Every extension of moto this project's tests rely on (idempotent)."""
    moto_redshift.install()
    moto_backup.install()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def start(host: str = "127.0.0.1", port: int | None = None) -> tuple[ThreadedMotoServer, str]:
    """Install the extensions and start a server in this process; returns it and its endpoint URL."""
    install()
    port = port or free_port(host)
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    return server, f"http://{host}:{port}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--restoring-describes", type=int, default=0,
                        help="DescribeClusters calls a restored cluster stays `creating`")
    parser.add_argument("--deleting-describes", type=int, default=0,
                        help="DescribeClusters calls a deleted cluster stays `deleting`")
    args = parser.parse_args(argv)
    moto_redshift.configure(restoring_describes=args.restoring_describes,
                            deleting_describes=args.deleting_describes)
    server, endpoint = start(args.host, args.port or None)
    print(f"listening on {endpoint}", flush=True)
    try:
        threading.Event().wait()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
