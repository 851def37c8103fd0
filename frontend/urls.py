from django.urls import path

from frontend.views import account, assessments, auth, dialogue, flags, goals, language, pages

urlpatterns = [
    path("", pages.start_view, name="start"),
    path("login/", auth.login_view, name="login"),
    path("login/code/", auth.otp_verify_view, name="otp-verify"),
    path("logout/", auth.logout_view, name="logout"),
    path("language/", language.set_language_view, name="set-language"),
    path("account/", account.account_view, name="account"),
    path("account/password/", account.password_change_view, name="password-change"),
    path("account/logout-everywhere/", account.logout_everywhere_view, name="logout-everywhere"),
    path("account/two-factor/", account.otp_setup_view, name="otp-setup"),
    path("account/two-factor/recovery-codes/", account.recovery_codes_view, name="otp-recovery-codes"),
    path("account/two-factor/remove/", account.otp_remove_view, name="otp-remove"),
    path("students/<int:student_id>/", dialogue.student_view, name="student"),
    path(
        "pages/<int:page_id>/threads/<int:thread_id>/messages/",
        dialogue.thread_history_view,
        name="thread-history",
    ),
    path(
        "pages/<int:page_id>/messages/<int:message_id>/revisions/",
        dialogue.message_revisions_view,
        name="message-revisions",
    ),
    path("pages/<int:page_id>/attachments/", dialogue.attachment_upload_view, name="attachment-upload"),
    path("pages/<int:page_id>/attachments/<int:attachment_id>/", dialogue.attachment_view, name="attachment"),
    path(
        "students/<int:student_id>/assessments/<int:assessment_id>/",
        assessments.assessment_history_view,
        name="assessment-history",
    ),
    path("students/<int:student_id>/goals/", goals.goals_view, name="goals"),
    path("students/<int:student_id>/goals/set/", goals.goal_set_view, name="goal-set"),
    path("students/<int:student_id>/goals/propose/", goals.goal_propose_view, name="goal-propose"),
    path("students/<int:student_id>/goals/<int:goal_id>/accept/", goals.goal_accept_view, name="goal-accept"),
    path(
        "students/<int:student_id>/goals/<int:goal_id>/decline/", goals.goal_decline_view, name="goal-decline"
    ),
    path("students/<int:student_id>/goals/<int:goal_id>/status/", goals.goal_status_view, name="goal-status"),
    path("students/<int:student_id>/goals/<int:goal_id>/edit/", goals.goal_edit_view, name="goal-edit"),
    path(
        "students/<int:student_id>/goals/<int:goal_id>/reflections/",
        goals.goal_reflect_view,
        name="goal-reflect",
    ),
    path("students/<int:student_id>/self-assessments/", goals.self_assessments_view, name="self-assessments"),
    path(
        "students/<int:student_id>/self-assessments/new/",
        goals.self_assessment_new_view,
        name="self-assessment-new",
    ),
    path("classes/<int:class_id>/", pages.class_view, name="class"),
    path(
        "classes/<int:class_id>/assessments/<int:subject_id>/",
        assessments.assessment_flow_view,
        name="assessment-flow",
    ),
    path(
        "classes/<int:class_id>/assessments/<int:subject_id>/publish-all/",
        assessments.assessment_publish_all_view,
        name="assessment-publish-all",
    ),
    path(
        "classes/<int:class_id>/assessments/<int:subject_id>/students/<int:student_id>/draft/",
        assessments.assessment_draft_view,
        name="assessment-draft",
    ),
    path(
        "classes/<int:class_id>/assessments/<int:subject_id>/students/<int:student_id>/publish/",
        assessments.assessment_publish_view,
        name="assessment-publish",
    ),
    path("phrases/", assessments.phrase_add_view, name="phrase-add"),
    path("phrases/<int:phrase_id>/delete/", assessments.phrase_delete_view, name="phrase-delete"),
    path(
        "schools/<int:school_id>/assessment-form/", assessments.assessment_form_view, name="assessment-form"
    ),
    path("schools/<int:school_id>/", pages.school_view, name="school"),
    path("schools/<int:school_id>/flagged/", flags.flagged_texts_view, name="flagged-texts"),
    path(
        "schools/<int:school_id>/flagged/<int:flag_id>/reviewed/",
        flags.review_view,
        name="flagged-text-reviewed",
    ),
]
