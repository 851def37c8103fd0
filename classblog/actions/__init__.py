"""Every write to a class blog: settings, posts, their files, approval, pinning, comments.

Each action asks the policy (``doors.rights_in``), validates, writes in one
transaction, gives the change the blog's next event number and, after the commit, tells
the open blogs (``blog_change`` events carry ids only; every browser fetches what changed
through a view that asks the policy again) and announces it for notifications.

Who hears what: a published post (and its comments) goes to the group of the blog's
readers; a pending or declined student post only to the class's moderators (its teachers
and the principal) and its author; a scheduled post to the moderators until its time.
"""

from classblog.actions.comments import hide_comment, write_comment
from classblog.actions.common import blog_of, moderators_group, readers_group
from classblog.actions.files import FileChoice, remove_unattached_file, upload_file
from classblog.actions.posts import (
    announce_due_posts,
    approve_post,
    change_settings,
    decline_post,
    edit_post,
    pin_post,
    remove_post,
    write_post,
)

__all__ = [
    "FileChoice",
    "announce_due_posts",
    "approve_post",
    "blog_of",
    "change_settings",
    "decline_post",
    "edit_post",
    "hide_comment",
    "moderators_group",
    "pin_post",
    "readers_group",
    "remove_post",
    "remove_unattached_file",
    "upload_file",
    "write_comment",
    "write_post",
]
