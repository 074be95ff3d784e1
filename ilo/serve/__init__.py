"""Front doors for harnesses that run many programs: ``ilo serv`` (JSON lines),
the Python API (:mod:`ilo`'s ``run`` / ``check``) and ``ilo mcp``.

All three share one guarded execution core (:mod:`ilo.serve.core`) and, when
a program must not be able to take the caller down, the same warm supervised
workers (:mod:`ilo.serve.workers`).
"""
