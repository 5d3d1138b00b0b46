from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def deliver(pks: list[int]) -> None:
    for pk in pks:
        services.delivery_send(pk=pk)


@shared_task(ignore_result=True)
def redispatch() -> None:
    """Beat, every 30 s: sends what is due again (retries after backoff, rows a dead worker left)."""
    pks = services.due_pks()
    if pks:
        deliver.delay(pks)
