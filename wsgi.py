"""The WSGI entry point for production: `gunicorn wsgi:app`."""

import gc

from engagement import create_app

app = create_app()
# What start-up made lives as long as the worker: keep it out of the cyclic collector's way.
# A full collection would walk all of it (~160,000 objects, ~85 ms on a 2-core machine) each
# time it comes round; frozen, it walks only what requests made.
gc.freeze()
