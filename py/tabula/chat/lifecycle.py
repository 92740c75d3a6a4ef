"""Answer: one answer's lifecycle, from the moment it is asked for until it ends. Pure.

An answer belongs to one conversation and one message; it is waiting (its turn has not come),
running (building its prompt, then streaming) or closed (done, stopped, cancelled, failed, or
abandoned when its conversation was left). It holds what runs it: the queue's Job for the local
engine, or the request's own CloudCall for the cloud. Once closed, nothing it receives (a late
token, a chunk the network read before the cancel landed) reaches any conversation.
"""

from __future__ import annotations

from dataclasses import dataclass

from tabula.cloud.ports import CloudCall
from tabula.engine.queue import Job


@dataclass(eq=False)
class Answer:
    conversation: str  # the id of the conversation it was asked in
    message_id: int
    state: str = "waiting"  # waiting | running | closed
    text: str = ""  # what has been written so far (shown, and saved as it streams)
    base: str = ""  # what the message held before (Continue: the answer goes on from it)
    streaming: bool = False  # the first piece of text has arrived
    job: Job | None = None
    call: CloudCall | None = None

    @property
    def closed(self) -> bool:
        return self.state == "closed"

    def close(self) -> None:
        self.state = "closed"

    def stop(self, queue_cancel) -> bool:
        """Stop whatever writes this answer (its job through `queue_cancel(job_id)`, or its
        request); False when nothing runs yet."""
        if self.job is not None:
            queue_cancel(self.job.id)
            return True
        if self.call is not None:
            self.call.cancel()
            return True
        return False
