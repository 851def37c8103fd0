from django.urls import include, path

from accounts.admin import school_admin_site

urlpatterns = [
    path("admin/", school_admin_site.urls),
    path("", include("frontend.urls")),
]

handler400 = "frontend.views.errors.bad_request"
handler403 = "frontend.views.errors.permission_denied"
handler404 = "frontend.views.errors.page_not_found"
handler500 = "frontend.views.errors.server_error"
