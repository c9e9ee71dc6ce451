"""A WorkerApp with two action types. Run it with

    python -m actionq worker examples.app_worker:app --queue mail --concurrency 8

(from clients/python), and stop it with SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import asyncio
import time

from actionq import FailNoRetry, Job, Reject, RetryIn, WorkerApp
from pydantic import BaseModel

app = WorkerApp("mailer")


class Email(BaseModel):
    to: str
    subject: str
    body: str = ""


@app.handler(
    "email.send",
    concurrency=4,
    timeout=30,
    retry_on=(ConnectionError, TimeoutError),
    backoff="exponential:1s:5m:0.2",
    model=Email,
)
async def send(job: Job[Email]) -> dict[str, str]:
    """An invalid payload never gets here: it is rejected before the call."""
    if job.payload.to.endswith("@example.invalid"):
        raise Reject("the address cannot receive mail")
    await job.heartbeat(progress={"step": "connecting"})
    await asyncio.sleep(0.1)  # talk to the mail server here
    return {"sent_to": job.payload.to, "attempt": str(job.attempt)}


@app.handler("report.render", concurrency=2, timeout=600)
def render(job: Job[dict[str, object]]) -> str:
    """A plain function runs in a thread and reports progress as it goes."""
    pages = int(str(job.payload.get("pages", 3)))
    if pages > 1000:
        raise FailNoRetry("reports are capped at 1000 pages")
    if job.payload.get("busy"):
        raise RetryIn(60, "the renderer is busy")
    for page in range(1, pages + 1):
        time.sleep(0.05)  # render one page here
        job.heartbeat_sync(progress={"page": page, "of": pages})
    return f"reports/{job.id}.pdf"
