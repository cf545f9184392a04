"""Outgoing webhook delivery: one POST per event and webhook, retried with backoff.

Each attempt is a WebhookDelivery row. 5xx, 429 and transport failures are
retried with exponential backoff (``knobs.webhook_backoff_base_s`` doubling);
other 4xx and 3xx answers are final, as in saleor's webhook transport.
Delivery runs on a small thread pool, or inline when ``webhook_mode="sync"``.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

import httpx
from django.db import close_old_connections
from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from . import knobs
from .models import WebhookDelivery

logger = logging.getLogger("willo_integration.sandbox.webhooks")

_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="sandbox-webhook")
_pending: set[Future[bool]] = set()
_pending_lock = threading.Lock()


class RetryableDeliveryError(Exception):
    """An attempt failed in a way worth retrying."""


@dataclass(frozen=True)
class Delivery:
    webhook_id: int
    url: str
    token: str | None
    event: str
    event_id: str
    payload: dict[str, Any]


def dispatch(delivery: Delivery) -> None:
    current = knobs.current()
    if current.webhook_mode == "sync":
        deliver(delivery, current)
        return
    future = _executor.submit(_deliver_in_thread, delivery, current)
    with _pending_lock:
        _pending.add(future)
    future.add_done_callback(_forget)


def _forget(future: Future[bool]) -> None:
    with _pending_lock:
        _pending.discard(future)


def wait_idle(timeout: float | None = None) -> None:
    """Block until every queued delivery (retries included) has finished."""
    with _pending_lock:
        futures = set(_pending)
    wait(futures, timeout=timeout)


def _deliver_in_thread(delivery: Delivery, current: knobs.Knobs) -> bool:
    try:
        return deliver(delivery, current)
    finally:
        close_old_connections()


def deliver(delivery: Delivery, current: knobs.Knobs) -> bool:
    """Try until success, a final answer, or the attempts run out; True when delivered."""
    base = current.webhook_backoff_base_s
    retrying = Retrying(
        stop=stop_after_attempt(current.webhook_max_attempts),
        wait=wait_exponential(multiplier=base, min=base, max=base * 64),
        retry=retry_if_exception_type(RetryableDeliveryError),
    )
    try:
        for attempt in retrying:
            with attempt:
                return _attempt(delivery, attempt.retry_state.attempt_number, current)
    except RetryError:
        logger.error(
            "webhook %s: giving up on %s event %s after %d attempts",
            delivery.url, delivery.event, delivery.event_id, current.webhook_max_attempts,
        )  # fmt: skip
    return False


def _attempt(delivery: Delivery, number: int, current: knobs.Knobs) -> bool:
    headers = {"Content-Type": "application/json", "User-Agent": "Willo-Sandbox-Webhooks/1.0"}
    if delivery.token:
        headers["Authorization"] = delivery.token
    record = WebhookDelivery(
        webhook_id=delivery.webhook_id,
        event_id=delivery.event_id,
        event=delivery.event,
        attempt=number,
        url=delivery.url,
        payload=delivery.payload,
    )
    try:
        response = httpx.post(
            delivery.url, json=delivery.payload, headers=headers, timeout=current.webhook_timeout_s
        )
    except httpx.HTTPError as exc:
        record.error = f"{type(exc).__name__}: {exc}"
        record.save()
        logger.warning("webhook %s attempt %d failed: %s", delivery.url, number, record.error)
        raise RetryableDeliveryError(record.error) from exc
    record.status_code = response.status_code
    record.succeeded = response.is_success
    if not response.is_success:
        record.error = response.text[:500]
    record.save()
    if response.is_success:
        return True
    logger.warning(
        "webhook %s attempt %d answered HTTP %d", delivery.url, number, response.status_code
    )
    if response.status_code >= 500 or response.status_code == 429:
        raise RetryableDeliveryError(f"HTTP {response.status_code}")
    return False
