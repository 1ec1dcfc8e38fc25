"""Gunicorn settings, read from this folder by `gunicorn wsgi:app` and given to bench servers."""

import gc
import sys

from gunicorn.arbiter import Arbiter


def post_worker_init(worker):
    """Refuse to serve a database this code was not migrated for; then freeze start-up's heap.

    A worker that exits with WORKER_BOOT_ERROR makes gunicorn stop, with the reason logged,
    instead of answering every request with an error. The heap lives as long as the worker,
    yet a full collection would walk all of it (~160,000 objects, ~85 ms on a 2-core machine)
    each time one comes round. Frozen, collections walk only what requests made.
    """
    if getattr(worker.wsgi, "import_name", None) == "engagement":
        from engagement.schema import schema_problem

        problem = schema_problem(worker.wsgi)
        if problem:
            worker.log.error("Not serving: %s", problem)
            sys.exit(Arbiter.WORKER_BOOT_ERROR)
    gc.freeze()
