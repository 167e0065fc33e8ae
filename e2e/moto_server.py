"""A moto server on loopback for the e2e stack, in its own process, recording every request it receives.

The server is tests/support/moto_server.py: moto plus this project's extensions for the Redshift calls moto lacks
(snapshot access, resize, IAM roles, manual retention, restore states; modelled on the API reference, not
observed). The recorder is moto's own (`MOTO_ENABLE_RECORDING`): one JSON line per request, which the tests read to
assert which AWS calls a step made (a preview makes no write call).
"""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import sys
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

REGION = "us-east-1"
# Read-only Redshift/STS/Backup actions: every other action is a write.
READ_PREFIXES = ("Describe", "List", "Get")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class MotoServer:
    endpoint: str
    recording: Path
    process: subprocess.Popen[str]

    @classmethod
    def start(cls, folder: Path, restoring_describes: int = 0) -> MotoServer:
        """`restoring_describes`: how many DescribeClusters a restored cluster stays `creating` (0: at once)."""
        recording = folder / "moto-recording.jsonl"
        env = {"MOTO_ENABLE_RECORDING": "true", "MOTO_RECORDER_FILEPATH": str(recording), "PATH": "/usr/bin:/bin"}
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.moto_server", "--port", str(free_port()),
             "--restoring-describes", str(restoring_describes)],
            env=env, text=True, cwd=Path(__file__).resolve().parent.parent, stdout=subprocess.PIPE,
            stderr=open(folder / "moto.log", "w"))
        assert process.stdout is not None
        ready = process.stdout.readline().strip()
        if not ready.startswith("listening on "):
            process.kill()
            raise AssertionError(f"moto did not start: {(folder / 'moto.log').read_text()}")
        return cls(ready.removeprefix("listening on "), recording, process)

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()

    def env(self) -> dict[str, str]:
        # A distinctive fake secret key: the tests assert it reaches no state file and no engine output.
        return {"AWS_ENDPOINT_URL": self.endpoint, "AWS_ACCESS_KEY_ID": "AKIAE2ETESTKEY000000",
                "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_KEY, "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION}

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=REGION, endpoint_url=self.endpoint,
                            aws_access_key_id="AKIAE2ETESTKEY000000", aws_secret_access_key=FAKE_SECRET_KEY)

    def clear_recording(self) -> None:
        self.recording.write_text("")

    def actions(self) -> list[str]:
        """The API action of every request recorded since the last clear (query protocol: `Action=` in the body)."""
        if not self.recording.exists():
            return []
        found = []
        for line in self.recording.read_text().splitlines():
            entry = json.loads(line)
            body = entry.get("body") or ""
            if entry.get("body_encoded"):
                body = base64.b64decode(body).decode("utf-8", "replace")
            target = (entry.get("headers") or {}).get("X-Amz-Target")
            if target:
                found.append(target.rsplit(".", 1)[-1])
                continue
            action = urllib.parse.parse_qs(body).get("Action") or urllib.parse.parse_qs(
                urllib.parse.urlparse(entry["url"]).query).get("Action")
            found.append(action[0] if action else f"{entry['method']} {urllib.parse.urlparse(entry['url']).path}")
        return found

    def write_actions(self) -> list[str]:
        return [a for a in self.actions() if not a.startswith(READ_PREFIXES)]


FAKE_SECRET_KEY = "e2eFakeSecretKey/DoNotLeak/0123456789abcd"
