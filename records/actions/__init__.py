"""Every write of the records floor goes through a function in this package. The access log
itself is written only by its receiver (``records.receivers``) and never changed; the purge,
which writes as the system, is ``records.retention.purge``."""
