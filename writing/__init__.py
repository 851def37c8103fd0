"""The writing kit: what every app that lets people write shares.

Rendering Markdown to safe HTML (``rendering``), the sensitive-text guard (``guard``), checking
uploaded files (``uploads``), cleaning and limiting free text (``texts``), the principal's list
of texts saved despite the guard (``models.FlaggedText``, ``actions``, ``queries``,
``sources``), the per-stream event counter (``counters``) and the helpers of the live socket's
frames (``frames``).

It sits above ``accounts`` and ``notifications`` and below ``dialogue`` and ``classblog``, which
are siblings: neither imports the other, and nothing here imports either.
"""
