"""gunicorn's settings, read from the working directory by `gunicorn wsgi:app` (the command line adds the bind
address, the workers and threads: README, docs/serving.md).

The app is built once, in the master, before the workers are forked (`preload_app`): its modules' code, its
templates' compiled code and its settings are then pages the workers share instead of one copy each (PSS of a
web worker after the benchmark, docs/performance.md « Memory »). This is safe with the app's pools because
nothing opens a connection while the app is built: SQLAlchemy's engine has an empty pool (disposed again after
each fork, in case a future start-up check ever reads the database), redis-py's pools notice the fork by the
process id and start afresh, and no thread is started at import. `gc.freeze()` moves every object the master
built out of the collector's sight, so a worker's collections do not write to (and copy) the shared pages.

A worker recycled by gunicorn is forked from the same master: it starts with the same shared pages."""

import gc

preload_app = True


def when_ready(server):
    """Before the first fork: the CLDR data every worker reads at its first page (Babel's global data and the
    app's locales, about 4 MB, measured with tracemalloc) is loaded here once and shared, then frozen."""
    import babel.core
    import babel.localedata

    from helpdesk.platform.locale import supported_locales

    with server.app.wsgi().app_context():
        locales = supported_locales()
    babel.core.get_global("likely_subtags")  # loads the whole global.dat
    for code in locales:
        babel.localedata.load(code)
    gc.freeze()


def post_fork(server, worker):
    from helpdesk.platform.extensions import db

    with server.app.wsgi().app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)  # connections of the master, if any, stay the master's
