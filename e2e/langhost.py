"""A language runtime for one engine command: Pulumi's own in-process server (the Automation API's), serving a program.

The Python language host (`pulumi-language-python`) cannot be built here (docs/engine.md), so the CLI is given
this runtime with `--client`, the way the Automation API runs inline programs: the CLI, its engine, its state
backend and its plugin host are the real ones; the program runs in this process, under the real Python SDK.

Usage: python -m e2e.langhost PROGRAM.py   (prints the port, then serves until killed)
"""

from __future__ import annotations

import runpy
import sys
from concurrent import futures

import grpc
from pulumi.automation._server import LanguageServer
from pulumi.runtime.proto import language_pb2_grpc

# As the Automation API sets it for its inline-program server.
MAX_MESSAGE = 1024 * 1024 * 400


def main() -> None:
    program_path = sys.argv[1]

    def program() -> None:
        runpy.run_path(program_path, run_name="__main__")

    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=4),
        options=[("grpc.max_receive_message_length", MAX_MESSAGE)],
    )
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(LanguageServer(program), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
