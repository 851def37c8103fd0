from dialogue.models.assessments import (
    MAX_ASSESSMENT_TEXT,
    MAX_PHRASE_LENGTH,
    Assessment,
    AssessmentForm,
    Phrase,
)
from dialogue.models.flags import FlaggedText
from dialogue.models.messages import (
    MAX_MESSAGE_LENGTH,
    Attachment,
    Message,
    MessageRevision,
    ReadState,
)
from dialogue.models.pages import StudentPage, Thread
from dialogue.models.talks import (
    MAX_PLACE_LENGTH,
    MAX_TALK_TEXT,
    DevelopmentTalk,
    TalkAttendee,
    TalkPreparation,
    TalkSlot,
)

__all__ = [
    "MAX_ASSESSMENT_TEXT",
    "MAX_MESSAGE_LENGTH",
    "MAX_PHRASE_LENGTH",
    "MAX_PLACE_LENGTH",
    "MAX_TALK_TEXT",
    "Assessment",
    "AssessmentForm",
    "Attachment",
    "DevelopmentTalk",
    "FlaggedText",
    "Message",
    "MessageRevision",
    "Phrase",
    "ReadState",
    "StudentPage",
    "TalkAttendee",
    "TalkPreparation",
    "TalkSlot",
    "Thread",
]
