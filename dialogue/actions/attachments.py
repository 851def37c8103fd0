"""Uploading a file to attach to a message."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.errors import Refused, require
from accounts.models import User
from dialogue import doors
from dialogue.models import Attachment, StudentPage
from writing.uploads import UploadRejected, check_upload

MAX_PENDING_PER_PAGE = 10


def upload_attachment(actor: User, page: StudentPage | int, *, name: str, data: bytes) -> Attachment:
    """Check the file on its content (images are re-encoded without metadata such as GPS
    position), store it privately and return it unattached; sending a message with its id
    attaches it. Raises ``Refused`` with the checker's code for a file that is not
    accepted."""
    access = doors.page(actor, page, opening=False)
    require(access.relation.may_write)
    page = access.page
    pending = Attachment.objects.filter(page=page, uploaded_by=actor, message__isnull=True).count()
    if pending >= MAX_PENDING_PER_PAGE:
        raise Refused("too_many_files", _("Send the files you have attached before adding more."))
    try:
        checked = check_upload(name, data)
    except UploadRejected as rejection:
        raise Refused(rejection.code or "rejected", " ".join(rejection.messages)) from None
    with transaction.atomic():
        attachment = Attachment(page=page, uploaded_by=actor, **checked.model_fields())
        attachment.file.save("upload", ContentFile(checked.data), save=False)
        attachment.save()
    return attachment
