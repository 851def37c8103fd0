from records.models.access_log import Opening, ReviewMark
from records.models.exports import DataExport
from records.models.purge import PendingFileRemoval
from records.models.release import Masking, ReleaseRequest, SecrecyGround
from records.models.retention import PurgeLog, RetentionRule

__all__ = [
    "DataExport",
    "Masking",
    "Opening",
    "PendingFileRemoval",
    "PurgeLog",
    "ReleaseRequest",
    "RetentionRule",
    "ReviewMark",
    "SecrecyGround",
]
