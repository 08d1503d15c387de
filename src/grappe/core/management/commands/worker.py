"""``grappe worker``: the background worker (django.tasks with the database queue).

A thin alias of ``db_worker`` so operators have one obvious name; every option of ``db_worker``
is accepted (``--batch`` runs what is pending and exits, ``--queue-name '*'`` serves all queues).
"""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = "Run the Grappe background worker (feed polling, imports, e-mails, scheduling)."
