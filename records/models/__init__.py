from records.models.access_log import Opening, ReviewMark
from records.models.exports import DataExport
from records.models.purge import PendingFileRemoval
from records.models.retention import PurgeLog, RetentionRule

__all__ = ["DataExport", "Opening", "PendingFileRemoval", "PurgeLog", "RetentionRule", "ReviewMark"]
