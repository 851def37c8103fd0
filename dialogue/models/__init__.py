from dialogue.models.assessments import (
    MAX_ASSESSMENT_TEXT,
    MAX_PHRASE_LENGTH,
    Assessment,
    AssessmentForm,
    Phrase,
)
from dialogue.models.flags import FlaggedText
from dialogue.models.goals import (
    MAX_DECLINE_REASON,
    MAX_GOAL_TEXT,
    MAX_REFLECTION_TEXT,
    MAX_SELF_ASSESSMENT_TEXT,
    Goal,
    GoalReflection,
    GoalRevision,
    SelfAssessment,
)
from dialogue.models.messages import (
    MAX_MESSAGE_LENGTH,
    Attachment,
    Message,
    MessageRevision,
    ReadState,
)
from dialogue.models.pages import StudentPage, Thread

__all__ = [
    "MAX_ASSESSMENT_TEXT",
    "MAX_DECLINE_REASON",
    "MAX_GOAL_TEXT",
    "MAX_MESSAGE_LENGTH",
    "MAX_PHRASE_LENGTH",
    "MAX_REFLECTION_TEXT",
    "MAX_SELF_ASSESSMENT_TEXT",
    "Assessment",
    "AssessmentForm",
    "Attachment",
    "FlaggedText",
    "Goal",
    "GoalReflection",
    "GoalRevision",
    "Message",
    "MessageRevision",
    "Phrase",
    "ReadState",
    "SelfAssessment",
    "StudentPage",
    "Thread",
]
