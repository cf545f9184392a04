"""The demo's broker: kombu's filesystem transport, each message written whole before it
can be seen.

kombu's own creates a message's file in the folder and then writes it, so a worker listing
the folder in between takes an empty message: it is lost, and the worker stops
("Unrecoverable error: JSONDecodeError"). Here the message is written under a name the
worker passes over (it takes only ``*.<queue>.msg``) and renamed into place, which is
atomic. Selected by CELERY_BROKER_TRANSPORT in settings.py.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        # The name kombu gives it: the time orders the folder, oldest first.
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        path = os.path.join(self.data_folder_out, name)
        writing = f"{path}.writing"
        try:
            with open(writing, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(writing, path)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {path!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
