"""Releasing a student's records as public records (DOMAIN.md, "Releasing a public record").

- ``documents``: the documents a request covers, each as it stood when the request arrived
  (never a draft), as plain data the review page and the copy both read.
- ``masking``: a document's text with its masked ranges replaced by the ground's marker; the
  masked text is removed before anything is rendered, so it cannot reach any output.
- ``copy``: the released copy, HTML and PDF (WeasyPrint).
- ``decision``: the decision document (grounds, who decided and when, how to appeal).
- ``actions``: register a request, mask and unmask, decide, record the delivery.
- ``doors``: the one door to a request, where its openings are logged.
"""
