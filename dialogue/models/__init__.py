from dialogue.models.action_programmes import (
    APPEAL_DAYS,
    MAX_FOLLOW_UP_TEXT,
    MAX_FOLLOW_UPS,
    MAX_PROGRAMME_TEXT,
    ActionProgramme,
    FollowUp,
    ProgrammeRevision,
    ProgrammeVersion,
    ProgrammeView,
)
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
    TalkRecordRevision,
    TalkSlot,
)

__all__ = [
    "APPEAL_DAYS",
    "MAX_ASSESSMENT_TEXT",
    "MAX_FOLLOW_UPS",
    "MAX_FOLLOW_UP_TEXT",
    "MAX_MESSAGE_LENGTH",
    "MAX_PHRASE_LENGTH",
    "MAX_PLACE_LENGTH",
    "MAX_PROGRAMME_TEXT",
    "MAX_TALK_TEXT",
    "ActionProgramme",
    "Assessment",
    "AssessmentForm",
    "Attachment",
    "DevelopmentTalk",
    "FlaggedText",
    "FollowUp",
    "Message",
    "MessageRevision",
    "Phrase",
    "ProgrammeRevision",
    "ProgrammeVersion",
    "ProgrammeView",
    "ReadState",
    "StudentPage",
    "TalkAttendee",
    "TalkPreparation",
    "TalkRecordRevision",
    "TalkSlot",
    "Thread",
]
