"""The school administration (/admin/), one module per role: the site and its permission,
membership inlines, people, and school structure. Importing the package registers them."""

from accounts.admin import people, structure
from accounts.admin.site import school_admin_site

__all__ = ["people", "school_admin_site", "structure"]
