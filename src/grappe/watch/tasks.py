"""Background work of the watch (django.tasks): polling, classifier training, digests. Tasks take ids."""

from django.tasks import task


@task
def poll_source(source_id: int, force: bool = False) -> dict:
    """Poll one source (claimed first, so a duplicate task is harmless)."""
    from grappe.watch import polling

    outcome = polling.poll_source(source_id, force=force)
    return {"source": source_id, "outcome": outcome.outcome, "new": outcome.items_new}


@task
def enqueue_due_polls() -> dict:
    """Enqueue one ``poll_source`` task per due source, so every worker shares the polling (periodic)."""
    from django.db import transaction

    from grappe.watch import polling

    ids = list(polling.due_sources().values_list("pk", flat=True))
    with transaction.atomic():
        for source_id in ids:
            transaction.on_commit(lambda source_id=source_id: poll_source.enqueue(source_id))
    return {"enqueued": len(ids)}


@task
def poll_due_sources() -> dict:
    """Poll every due source in this worker, claiming each one before polling it."""
    from grappe.watch import polling

    outcomes = polling.poll_due_sources()
    return {"polled": sum(1 for o in outcomes if o.outcome != "skipped"), "new": sum(o.items_new for o in outcomes)}


@task
def retrain_topic(topic_id: int) -> dict:
    """Re-learn a topic's classifier after staff marks changed."""
    from grappe.watch.tagging import train_topic_classifier

    return train_topic_classifier(topic_id)


@task
def send_due_digests() -> dict:
    """Send the digest of every subscriber whose period has elapsed."""
    from grappe.watch import digests

    return digests.send_due_digests()
