"""The demo's filesystem broker: a worker polling the folder while another process
publishes takes every message whole (kombu's own transport hands it some empty ones)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from queue import Empty

from kombu import Connection

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 2000
PUBLISH = """
import json, sys
from kombu import Connection
channel = Connection(
    "filesystem://localhost/", transport="dashboard.demo_broker:Transport",
    transport_options=json.loads(sys.argv[1]),
).default_channel
for number in range(int(sys.argv[2])):
    channel._put("celery", {"number": number, "padding": "x" * 50_000})
"""


def test_a_polling_worker_takes_every_message_whole(tmp_path):
    folder = tmp_path / "messages"
    folder.mkdir()
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder),
               "control_folder": str(tmp_path / "control")}  # fmt: skip
    worker = Connection(
        "filesystem://localhost/",
        transport="dashboard.demo_broker:Transport",
        transport_options=options,
    ).default_channel
    publisher = subprocess.Popen(
        [sys.executable, "-c", PUBLISH, json.dumps(options), str(MESSAGES)], cwd=ROOT
    )

    taken, unreadable = [], 0
    while len(taken) + unreadable < MESSAGES and publisher.poll() in (None, 0):
        try:
            taken.append(worker._get("celery")["number"])
        except Empty:
            continue
        except ValueError:  # an empty or partly written message
            unreadable += 1
    publisher.wait(timeout=60)

    assert publisher.returncode == 0
    assert unreadable == 0
    assert sorted(taken) == list(range(MESSAGES))  # each one, once
