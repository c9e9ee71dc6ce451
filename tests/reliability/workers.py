"""Worker processes for the reliability tests: real OS processes using the
Python client, which say on stdout what they claimed and completed so that a
test can kill one (-9) in the middle of an action."""

from __future__ import annotations

import subprocess
import sys
import threading
from dataclasses import dataclass, field

# The worker: claim (long poll), work a random while, complete; forever. It
# takes a comma-separated list of server addresses and moves to the next one
# when a call fails.
SCRIPT = """
import random, sys, time
from actionq import Client, ActionqError
addresses = sys.argv[1].split(",")
name, project, lease = sys.argv[2], sys.argv[3], float(sys.argv[4])
clients = [Client(a, timeout=10) for a in addresses]
turn = 0
while True:
    client = clients[turn % len(clients)]
    try:
        got = client.claim(name, project=project, lease=lease, wait=5)
    except ActionqError:
        # e.g. this replica is gone: try the next one after a pause (backoff).
        turn += 1
        time.sleep(0.1)
        continue
    for item in got:
        print("claimed", item.action.id, flush=True)
        time.sleep(random.uniform(0.02, 0.3))  # workload, not synchronization
        try:
            client.complete(item.action.id, item.lease_token, result_ref=name)
            print("completed", item.action.id, flush=True)
        except ActionqError as exc:
            print("refused", item.action.id, exc.reason or exc.code, flush=True)
"""


@dataclass
class Worker:
    """One worker process and the lines it printed."""

    name: str
    proc: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def holding(self) -> set[int]:
        """Actions it said it claimed and not yet finished."""
        held: set[int] = set()
        for line in list(self.lines):
            words = line.split()
            if len(words) >= 2 and words[0] == "claimed":
                held.add(int(words[1]))
            elif len(words) >= 2 and words[0] in ("completed", "refused"):
                held.discard(int(words[1]))
        return held

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(30)


def start_worker(address: str, name: str, project: str, lease: float) -> Worker:
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, address, name, project, str(lease)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    worker = Worker(name, proc)

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            worker.lines.append(line)

    threading.Thread(target=pump, daemon=True).start()
    return worker
