"""Gunicorn settings, read from this folder by `gunicorn wsgi:app` and given to bench servers."""

import gc


def post_worker_init(worker):
    """Keep what start-up made out of the cyclic garbage collector's way.

    It lives as long as the worker, yet a full collection would walk all of it
    (~160,000 objects, ~85 ms on a 2-core machine) each time one comes round.
    Frozen, collections walk only what requests made.
    """
    gc.freeze()
