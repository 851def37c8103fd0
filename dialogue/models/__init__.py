from dialogue.models.flags import FlaggedText
from dialogue.models.messages import (
    MAX_MESSAGE_LENGTH,
    Attachment,
    Message,
    MessageRevision,
    ReadState,
)
from dialogue.models.pages import StudentPage, Thread

__all__ = [
    "MAX_MESSAGE_LENGTH",
    "Attachment",
    "FlaggedText",
    "Message",
    "MessageRevision",
    "ReadState",
    "StudentPage",
    "Thread",
]
