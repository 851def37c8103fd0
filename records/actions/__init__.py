"""Every write to the records floor's models goes through a function in this package
(the purge, which writes as the system, is ``records.retention.purge``)."""
