from django.urls import path

from frontend.views import (
    account,
    action_programmes,
    assessments,
    auth,
    blog,
    dialogue,
    flags,
    goals,
    language,
    overview,
    pages,
    plan,
    talks,
)

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
    path("students/<int:student_id>/plan/", plan.plan_view, name="plan"),
    path(
        "students/<int:student_id>/assessments/<int:assessment_id>/",
        assessments.assessment_history_view,
        name="assessment-history",
    ),
    # --- Action programmes ---
    path(
        "students/<int:student_id>/action-programmes/",
        action_programmes.action_programmes_view,
        name="action-programmes",
    ),
    path(
        "students/<int:student_id>/action-programmes/new/",
        action_programmes.action_programme_new_view,
        name="action-programme-new",
    ),
    path(
        "students/<int:student_id>/action-programmes/<int:programme_id>/",
        action_programmes.action_programme_view,
        name="action-programme",
    ),
    path(
        "students/<int:student_id>/action-programmes/<int:programme_id>/draft/",
        action_programmes.action_programme_draft_view,
        name="action-programme-draft",
    ),
    path(
        "students/<int:student_id>/action-programmes/<int:programme_id>/views/",
        action_programmes.action_programme_comment_view,
        name="action-programme-comment",
    ),
    path(
        "students/<int:student_id>/action-programmes/<int:programme_id>/decision/",
        action_programmes.action_programme_decide_view,
        name="action-programme-decide",
    ),
    path(
        "students/<int:student_id>/action-programmes/<int:programme_id>/follow-ups/<int:follow_up_id>/",
        action_programmes.action_programme_follow_up_view,
        name="action-programme-follow-up",
    ),
    path(
        "students/<int:student_id>/action-programmes/<int:programme_id>/close/",
        action_programmes.action_programme_close_view,
        name="action-programme-close",
    ),
    # --- end of action programmes ---
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
    path("schools/<int:school_id>/follow-up/", overview.follow_up_view, name="follow-up"),
    path("schools/<int:school_id>/flagged/", flags.flagged_texts_view, name="flagged-texts"),
    path(
        "schools/<int:school_id>/flagged/<int:flag_id>/reviewed/",
        flags.review_view,
        name="flagged-text-reviewed",
    ),
    # --- Development talks ---
    path("students/<int:student_id>/talks/", talks.student_talks_view, name="student-talks"),
    path("students/<int:student_id>/talks/book/", talks.talk_book_view, name="talk-book"),
    path("students/<int:student_id>/talks/<int:talk_id>/", talks.talk_view, name="talk"),
    path("students/<int:student_id>/talks/<int:talk_id>/join/", talks.talk_join_view, name="talk-join"),
    path("students/<int:student_id>/talks/<int:talk_id>/cancel/", talks.talk_cancel_view, name="talk-cancel"),
    path("students/<int:student_id>/talks/<int:talk_id>/move/", talks.talk_move_view, name="talk-move"),
    path(
        "students/<int:student_id>/talks/<int:talk_id>/preparation/",
        talks.talk_prepare_view,
        name="talk-prepare",
    ),
    path("students/<int:student_id>/talks/<int:talk_id>/record/", talks.talk_record_view, name="talk-record"),
    path("classes/<int:class_id>/talks/", talks.class_talks_view, name="class-talks"),
    path("classes/<int:class_id>/talks/slots/", talks.talk_slots_open_view, name="talk-slots-open"),
    path(
        "classes/<int:class_id>/talks/slots/<int:slot_id>/cancel/",
        talks.talk_slot_cancel_view,
        name="talk-slot-cancel",
    ),
    # --- Class blog ---
    path("blogs/", blog.blogs_view, name="blogs"),
    path("classes/<int:class_id>/blog/", blog.blog_view, name="class-blog"),
    path("classes/<int:class_id>/blog/posts/", blog.post_new_view, name="blog-post-new"),
    path("classes/<int:class_id>/blog/posts/<int:post_id>/", blog.post_view, name="blog-post"),
    path(
        "classes/<int:class_id>/blog/posts/<int:post_id>/approve/",
        blog.post_approve_view,
        name="blog-post-approve",
    ),
    path(
        "classes/<int:class_id>/blog/posts/<int:post_id>/decline/",
        blog.post_decline_view,
        name="blog-post-decline",
    ),
    path("classes/<int:class_id>/blog/posts/<int:post_id>/pin/", blog.post_pin_view, name="blog-post-pin"),
    path(
        "classes/<int:class_id>/blog/posts/<int:post_id>/remove/",
        blog.post_remove_view,
        name="blog-post-remove",
    ),
    path("classes/<int:class_id>/blog/posts/<int:post_id>/edit/", blog.post_edit_view, name="blog-post-edit"),
    path(
        "classes/<int:class_id>/blog/posts/<int:post_id>/comments/",
        blog.comment_new_view,
        name="blog-comment-new",
    ),
    path(
        "classes/<int:class_id>/blog/posts/<int:post_id>/comments/<int:comment_id>/hide/",
        blog.comment_hide_view,
        name="blog-comment-hide",
    ),
    path("classes/<int:class_id>/blog/settings/", blog.settings_view, name="blog-settings"),
    path("classes/<int:class_id>/blog/files/<int:file_id>/", blog.file_view, name="blog-file"),
]
