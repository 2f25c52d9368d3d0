"""Not a defect: answers at once and processes 20 ms later on another thread (a queue)."""

from __future__ import annotations

import threading
from typing import Any

from ._base import Receiver

LATER_S = 0.02


class ProcessesLater(Receiver):
    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.workers: list[threading.Timer] = []

    def process(self, payload: dict[str, Any]) -> int:
        worker = threading.Timer(LATER_S, self.work, (payload,))
        self.workers.append(worker)
        worker.start()
        return self.success_status

    def work(self, payload: dict[str, Any]) -> None:
        with self.lock:
            super().process(payload)


app = ProcessesLater()
observe = app.observe
