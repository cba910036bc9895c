"""Background jobs: the deadline watch, the totals table and report generation.

They run in the arq worker (``inspect-app worker``, :mod:`jobs.worker`) when REDIS_URL is
set, and otherwise on the in-process schedule of the web app (:mod:`jobs.inprocess`). Every
job is idempotent: running it twice, or again after a crash, gives the same result.
"""
