"""User-visible strings the browser scripts need, translated on the server (so that the
one catalogue in locale/ covers the scripts too)."""

from __future__ import annotations

from django.utils.translation import gettext as _


def dialogue_strings() -> dict[str, str]:
    return {
        "pending": _("Sending…"),
        "failed": _("Not sent."),
        "retry": _("Try again"),
        "edited": _("edited"),
        "earlierVersions": _("Earlier versions"),
        "retracted": _("This message was retracted."),
        "edit": _("Edit"),
        "retract": _("Retract"),
        "save": _("Save"),
        "cancel": _("Cancel"),
        "confirmRetract": _("Retract this message? It disappears from the page but stays on record."),
        "you": _("you"),
        "typingOne": _("%(name)s is writing…"),
        "typingMany": _("Several people are writing…"),
        "connecting": _("Connecting…"),
        "offline": _("No connection. Messages are kept and sent when the connection is back."),
        "online": _("Connected"),
        "newMessages": _("New messages"),
        "jumpToUnread": _("Jump to first unread"),
        "loadEarlier": _("Show earlier messages"),
        "guardTitle": _("Check before sending"),
        "guardIntro": _(
            "The text may contain information that must not be written here (the page is a public "
            "record and may be read by others):"
        ),
        "guardSendAnyway": _("Send anyway"),
        "guardEdit": _("Edit the text"),
        "guardNote": _("If you send anyway, the principal is told so that it can be reviewed."),
        "tooLong": _("The message is too long: %(length)s of %(limit)s characters."),
        "attach": _("Attach a file"),
        "attachmentRemove": _("Remove"),
        "uploading": _("Uploading…"),
        "uploadFailed": _("The file could not be attached."),
        "accessEnded": _("You no longer have access to this page."),
        "sessionEnded": _("You have been logged out. Log in again to continue."),
        "reload": _("The page has changed a lot while you were away. Reload it to see everything."),
        "unknownCard": _("A document that this version of the page cannot show. Reload the page."),
        # Read receipts under one's own messages: "Read by Sofia 18:02 · not by Henrik" (a
        # name and its time are joined by a space in both languages).
        "receiptsReadBy": _("Read by %(names)s"),
        "receiptsNotBy": _("not by %(names)s"),
        "receiptsNobody": _("Not yet read by %(names)s"),
    } | card_strings()


def card_strings() -> dict[str, str]:
    """The cards' words (frontend/static/frontend/cards/*.js); placeholders in %(name)s."""
    return {
        "assessmentTitle": _("Written assessment"),
        "assessmentBy": _("Published by %(name)s"),
        "assessmentCorrection": _("Correction, version %(version)s"),
        "assessmentSuperseded": _("Replaced by version %(version)s"),
        "assessmentShowReplaced": _("Show the replaced version %(version)s"),
        "assessmentLevels": _("Knowledge level per area"),
        "assessmentArea": _("Area"),
        "assessmentLevel": _("Knowledge level"),
        "assessmentCan": _("What the student can"),
        "assessmentDevelop": _("How the student develops further"),
        "assessmentHistory": _("All versions"),
        "level_not_yet": _("Not yet acceptable"),
        "level_acceptable": _("Acceptable"),
        "level_more": _("More than acceptable"),
        "talkTitle": _("Development talk"),
        "talkCancelled": _("Cancelled by %(name)s"),
        "talkWhen": _("When"),
        "talkMinutes": _("%(minutes)s minutes"),
        "talkWhere": _("Where"),
        "talkVideo": _("Video"),
        "talkTeacher": _("Teacher"),
        "talkComing": _("Guardians coming"),
        "talkNobody": _("nobody"),
        "talkRecorded": _("Held on %(date)s; recorded by %(name)s"),
        "talkIup": _("Summary of the IUP for the year"),
        "talkSchool": _("What the school will do"),
        "talkHome": _("What the student and guardians can do"),
        "talkOpen": _("Preparation and agreements"),
        # Action programmes (cards/action_programme.js)
        "programmeTitle": _("Action programme"),
        "programme_draft": _("Draft"),
        "programme_adopted": _("Adopted"),
        "programme_declined": _("Declined"),
        "programme_closed": _("Closed"),
        "programmeVersion": _("version %(version)s"),
        "programmePending": _("Version %(version)s awaits the principal's decision"),
        "programmeNeeds": _("The student's needs"),
        "programmeViewsOne": _("1 view given"),
        "programmeViews": _("%(count)s views given"),
        "programmeNext": _("Next follow-up %(date)s"),
        "programmeOverdue": _("Follow-up overdue since %(date)s"),
        "programmeAdoptedBy": _("Version %(version)s adopted by %(name)s on %(date)s"),
        "programmeDeclinedBy": _("Version %(version)s declined by %(name)s on %(date)s"),
        "programmeAppeal": _("The decision can be appealed within three weeks, by %(date)s at the latest."),
        "programmeClosedBy": _("Closed by %(name)s on %(date)s"),
        "programmeOpen": _("Open the programme"),
        # Special support (cards/support.js)
        "adaptationTitle": _("Extra adaptation"),
        "adaptationSince": _("Since %(date)s"),
        "adaptationEnded": _("Ended %(date)s"),
        "adaptationNext": _("Next follow-up %(date)s"),
        "adaptationOverdue": _("Follow-up overdue since %(date)s"),
        "adaptationLast": _("Followed up by %(name)s on %(date)s"),
        "adaptationOpen": _("All extra adaptations"),
        "supportTitle": _("Report to the principal"),
        "support_reported": _("Waiting for the principal's decision"),
        "support_investigating": _("Being investigated"),
        "support_not_investigated": _("Not investigated"),
        "support_support_needed": _("Needs special support"),
        "support_no_programme": _("No action programme"),
        "supportReported": _("Reported by %(name)s on %(date)s"),
        "supportInvestigated": _(
            "%(name)s decided on %(date)s that %(investigator)s investigates, by %(until)s"
        ),
        "supportNotInvestigated": _("%(name)s decided on %(date)s that the need is not investigated"),
        "supportNeeded": _("%(name)s decided on %(date)s that the student needs special support"),
        "supportNoProgramme": _("%(name)s decided on %(date)s not to write an action programme"),
        "supportAppeal": _(
            "The decision can be appealed to Skolväsendets överklagandenämnd within three weeks, "
            "by %(date)s at the latest."
        ),
        "supportViewsOne": _("1 view given"),
        "supportViews": _("%(count)s views given"),
        "supportProgramme": _("Open the action programme"),
        "supportOpen": _("Open the report"),
        "goalTitle": _("Goal"),
        "goalProposedTitle": _("Proposed goal"),
        "goalGeneral": _("General"),
        "goalSetBy": _("Set by %(name)s"),
        "goalProposedBy": _("Proposed by %(name)s"),
        "goalAcceptedBy": _("accepted by %(name)s"),
        "goalDeclinedBy": _("declined by %(name)s"),
        "goalDeclineReason": _("Why it was declined"),
        "goalReplaced": _("Replaced by a new goal."),
        "goalTarget": _("Target date: %(date)s"),
        "goalReflections": _("Reflections by the student (%(count)s)"),
        "goalReflectionsSome": _("The newest %(shown)s of %(count)s reflections by the student"),
        "goalOpen": _("All goals"),
        "goalStatus_proposed": _("Proposed"),
        "goalStatus_active": _("Active"),
        "goalStatus_reached": _("Reached"),
        "goalStatus_revised": _("Revised"),
        "goalStatus_declined": _("Declined"),
        "selfAssessmentTitle": _("Self-assessment"),
        "selfAssessmentBy": _("By %(name)s"),
        "selfAssessmentGoal": _("The goal"),
        "selfAssessmentOpen": _("All self-assessments"),
        "selfLevel_needs_help": _("I need more help"),
        "selfLevel_fairly_well": _("It is going fairly well"),
        "selfLevel_well": _("It is going well"),
    }


def assessment_flow_strings() -> dict[str, str]:
    """The words of the teacher's assessment flow (assessment_flow.js)."""
    return {
        "saving": _("Saving…"),
        "unsaved": _("Not saved yet"),
        "saveFailed": _("Could not save. Your text is kept here; it is saved again when you keep writing."),
        "draft": _("Draft, not published"),
        "correctionDraft": _("Correction (version %(version)s), not published"),
        "published": _("Published (version %(version)s)"),
        "publishCorrection": _("Publish correction"),
        "publishAnyway": _("Publish anyway"),
        "guardIntro": _(
            "The text may contain information that must not be written here (the page is a public "
            "record and may be read by others):"
        ),
        "guardNote": _("If you publish anyway, the principal is told so that it can be reviewed."),
        "remove": _("Remove"),
        "state_draft": _("Draft"),
        "state_published": _("Published"),
    }
