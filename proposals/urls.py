from django.urls import path

from . import views

app_name = "proposals"

urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("new/", views.proposal_create, name="create"),
    path("upload/", views.draft_upload, name="upload"),
    path("uploads/<int:pk>/", views.draft_upload_detail, name="upload_detail"),
    path("uploads/<int:pk>/discard/", views.draft_upload_discard, name="upload_discard"),
    path("template.<str:fmt>", views.template_download, name="template"),
    path("import/", views.proposal_import, name="import"),
    path("signup/", views.signup, name="signup"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/edit/", views.proposal_edit, name="edit"),
    path("<int:pk>/submit/", views.proposal_submit, name="submit"),
    path("<int:pk>/submit/confirm/", views.proposal_submit_confirm, name="submit_confirm"),
    path("<int:pk>/reopen/", views.proposal_reopen, name="reopen"),
    path("<int:pk>/delete/", views.proposal_delete, name="delete"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/delete/", views.attachment_delete, name="attachment_delete"
    ),
]
