"""Publishing: the conductor above the library, search and the economy.

It owns what happens between an upload and a published document, in one place:

- ``intake.upload``: every door (web, API, ``wenku import``, the demo) takes an upload
  through it — store the bytes, get or reuse their conversion, create the document,
  queue its job — in one transaction;
- ``jobs.process``: the job — claim the conversion, run the stages, fail, hand back;
- ``stages.STAGES``: ingest's conversion stages, then fingerprint and publish;
- ``reactions.published``: the one ordered sequence of what follows a publish (reward,
  index, related lists), the same whether the file was converted now or reused;
- ``worker.HOOKS``: what the worker loop does around the jobs.

Everything below it (ingest, library, search, economy) knows nothing of the others'
part in a publish; nothing here is wired by signals.
"""
