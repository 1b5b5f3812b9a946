"""Proposal pages: the list, the form (new / edit / confirm an uploaded draft), the
detail page with attachments, the state changes, uploads, the officers' import,
and sign-up.

Access: every object URL goes through a selector that filters by owner unless the
user is an officer or admin, so another applicant's proposal, file or upload is a
404. Officers may look at everything but change nothing: the change URLs answer
them 403 (they already know the proposal exists). Changing needs the owner (or an
admin) and, except for "reopen", a draft.
"""

import secrets
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.files import FileNotSaved
from common.lockout import client_ip
from common.roles import OFFICER, is_admin, is_officer, role_of
from common.selectors import jobs_waiting_for_service
from common.services import audit_record, rate_allow, rate_allow_all
from common.views_files import file_not_saved_page

from . import docgen, selectors, services
from .enums import ProposalState, UploadState
from .filters import ProposalFilter
from .forms import AttachmentForm, DraftUploadForm, ImportForm, ProposalForms, SignupForm
from .interchange import ProposalData
from .services.proposals import proposal_submit_problems
from .validators import CONTENT_TYPES, UploadRejected, upload_error_message, upload_read

PAGE_SIZE = 20


def _reference_taken() -> str:
    return _("这个编号已被另一份申报书使用。")


def _too_many_drafts(limit: int) -> str:
    return _("每个账号最多同时保存 %(n)s 份草稿，请先提交或删除不用的草稿。") % {"n": limit}


def _may_create(user) -> None:
    """Applicants and admins write proposals; program officers only read them. A signed-in
    user without the role gets 403 (the site's 403 page); an object not theirs is a 404."""
    if role_of(user) == OFFICER:
        raise PermissionDenied


def _proposal_for_change(request, pk: int):
    proposal = selectors.proposal_get_for_user(user=request.user, pk=pk)
    if not selectors.proposal_can_change(user=request.user, proposal=proposal):
        raise PermissionDenied
    return proposal


# --- list --------------------------------------------------------------------


@login_required
def proposal_list(request):
    queryset = selectors.proposal_list(user=request.user)
    filterset = ProposalFilter(
        request.GET or None, queryset=queryset, years=selectors.proposal_years(queryset=queryset)
    )
    proposals = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    officer = is_officer(request.user)
    return render(
        request,
        "proposals/list.html",
        {
            "filter": filterset,
            "page": Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page")),
            "officer": officer,
            "uploads": [] if officer else selectors.draft_uploads_pending(user=request.user),
        },
    )


# --- the form ----------------------------------------------------------------
#
# POST/redirect/GET: a saved form always answers with a redirect (to the detail page, the
# submit confirmation, or the edit page showing why it cannot be submitted yet), so a refresh
# never posts it again. Only a form that could not be saved (nothing was written) is answered
# with the page itself. The "new" form carries a submission key: posted again (the browser's
# back button, a double click on a slow line), it updates the draft it created the first time
# instead of creating a second one.

SUBMISSIONS = "proposal_submissions"  # session: submission key → the proposal it created
SUBMISSIONS_KEPT = 20


def _submission_key(request) -> str:
    key = request.POST.get("submission_key", "") if request.method == "POST" else ""
    return key if 16 <= len(key) <= 64 and key.isascii() else secrets.token_urlsafe(18)


def _submitted_before(request, key: str):
    """The proposal an earlier post of the form with ``key`` created (None when none, or gone)."""
    pk = request.session.get(SUBMISSIONS, {}).get(key)
    if pk is None:
        return None
    return selectors.proposals_visible_to(user=request.user).filter(pk=pk, owner=request.user).first()


def _submission_remember(request, key: str, proposal) -> None:
    kept = dict(request.session.get(SUBMISSIONS, {}))
    kept.pop(key, None)
    kept[key] = proposal.pk
    request.session[SUBMISSIONS] = dict(list(kept.items())[-SUBMISSIONS_KEPT:])


def _render_form(request, forms: ProposalForms, *, mode: str, proposal=None, upload=None, status: int = 200):
    return render(
        request,
        "proposals/form.html",
        {
            "forms": forms,
            "mode": mode,
            "proposal": proposal,
            "upload": upload,
            "submission_key": _submission_key(request) if mode == "create" else "",
        },
        status=status,
    )


_CHECKED = "submit_check"  # the session's record of the check a submission just made


def _submit_warnings(
    request, proposal, *, reuse: bool = False, submittable: bool = False, loaded: bool = False
):
    """The conditions the draft's current content fails (the settings.SUBMIT_WARNINGS hook,
    which checks it now), or None when there is no hook or the proposal is not a draft. The
    hook's record of its check (``reuse`` on what it returns) is kept in the session, and with
    ``reuse`` handed back to it: the confirmation page that follows a submission shows that
    check's result while the hook says it still stands, instead of making it again.
    ``submittable``: the submission checks passed on this content just now (the caller's), so
    the hook need not make them again. ``loaded``: ``proposal`` was read by
    selectors.proposal_get_for_user in this request and not changed since, so the hook need not
    read it again."""
    if not settings.SUBMIT_WARNINGS or proposal.state != ProposalState.DRAFT:
        return None
    hook = import_string(settings.SUBMIT_WARNINGS)
    record = request.session.get(_CHECKED) if reuse else None
    told = {"reuse": record} if record else {}
    if submittable:
        told["submittable"] = True
    if loaded:
        told["loaded"] = True
    failures = hook(proposal, **told)
    made = getattr(failures, "reuse", None)
    if failures and made:
        request.session[_CHECKED] = made
    elif _CHECKED in request.session:
        del request.session[_CHECKED]
    return failures


def _edit_with_problems(proposal):
    return redirect(reverse("proposals:edit", args=[proposal.pk]) + "?check=submit#error-summary")


def _cannot_submit(request, proposal, errors):
    messages.error(
        request,
        _("草稿已保存，但还不能提交：有 %(count)d 处需要修改，已在下方标出。") % {"count": len(errors)},
    )
    return _edit_with_problems(proposal)


def _submit(request, proposal, *, confirmed: bool, loaded: bool = False):
    """Submit a saved draft: when the submission checks refuse it, to the edit page that shows
    why; when its current content fails conditions (and the post does not confirm), to the
    confirmation page; else submitted, to the detail page. Always a redirect. ``loaded``:
    ``proposal`` was read by selectors.proposal_get_for_user in this request and not changed
    since; otherwise it is read that way once, for both checks, when they are made."""
    if not confirmed:
        if not loaded:
            proposal = selectors.proposal_get_for_user(user=request.user, pk=proposal.pk)
        errors = proposal_submit_problems(selectors.proposal_to_data(proposal))
        if errors:
            return _cannot_submit(request, proposal, errors)
        if _submit_warnings(request, proposal, submittable=True, loaded=True):
            return redirect("proposals:submit_confirm", pk=proposal.pk)
    try:
        errors = services.proposal_submit(proposal=proposal, by=request.user)
    except services.TransitionNotAllowed:
        # Submitted already, e.g. by a double-clicked button: nothing more to do.
        messages.info(request, _("这份申报书已经提交，无需重复提交。"))
        return redirect("proposals:detail", pk=proposal.pk)
    if errors:
        return _cannot_submit(request, proposal, errors)
    messages.success(request, _("已提交；预审将在后台进行。"))
    return redirect("proposals:detail", pk=proposal.pk)


def _after_save(request, proposal):
    """Saved. With the "submit" button, also submit (see _submit)."""
    if request.POST.get("action") != "submit":
        messages.success(request, _("草稿已保存。"))
        return redirect("proposals:detail", pk=proposal.pk)
    return _submit(request, proposal, confirmed=False)


def _refused(request, forms: ProposalForms, *, mode: str, proposal=None, upload=None):
    """The form could not be saved (nothing was written): the page again, with what was typed.
    With the "submit" button, what the submission checks find in the rest is shown too, so every
    problem is listed at once."""
    if request.POST.get("action") == "submit":
        forms.add_errors(proposal_submit_problems(forms.to_data()))
    return _render_form(request, forms, mode=mode, proposal=proposal, upload=upload)


def _save(request, forms: ProposalForms, *, mode: str, proposal=None, upload=None):
    """Save the posted form (create, update, or confirm an upload) and go on (_after_save)."""
    if not forms.is_valid():
        return _refused(request, forms, mode=mode, proposal=proposal, upload=upload)
    data = forms.to_data()
    try:
        if proposal is not None:
            services.proposal_update(proposal=proposal, data=data, by=request.user)
        elif upload is not None:
            proposal = services.draft_upload_confirm(upload=upload, data=data, by=request.user)
        else:
            proposal = services.proposal_create(owner=request.user, data=data, by=request.user)
    except services.ReferenceTaken:
        forms.main.add_error("reference", _reference_taken())
    except services.TooManyDrafts as exc:
        forms.main.add_error(None, _too_many_drafts(exc.limit))
    except services.ProposalNotEditable:
        messages.error(request, _("只有草稿可以修改；已提交的申报书请先撤回为草稿。"))
        return redirect("proposals:detail", pk=proposal.pk)
    else:
        if mode == "create":
            _submission_remember(request, _submission_key(request), proposal)
        return _after_save(request, proposal)
    return _refused(request, forms, mode=mode, proposal=proposal, upload=upload)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request):
    _may_create(request.user)
    if request.method == "POST":
        earlier = _submitted_before(request, _submission_key(request))
        if earlier is not None:
            # The same form posted again: it changes the draft it created, never makes a second.
            if earlier.state != ProposalState.DRAFT:
                messages.info(request, _("这份申报书已经提交，无需重复提交。"))
                return redirect("proposals:detail", pk=earlier.pk)
            return _save(request, ProposalForms(request.POST), mode="edit", proposal=earlier)
        return _save(request, ProposalForms(request.POST), mode="create")
    forms = ProposalForms(initial=ProposalData(guide_year=selectors.guide_year_default()))
    return _render_form(request, forms, mode="create")


@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit(request, pk: int):
    """The form of a draft. GET with ?check=submit (where a refused submission leads) also
    shows what the submission checks find in the stored draft, next to each field."""
    proposal = _proposal_for_change(request, pk)
    if proposal.state != ProposalState.DRAFT:
        messages.error(request, _("只有草稿可以修改；已提交的申报书请先撤回为草稿。"))
        return redirect("proposals:detail", pk=proposal.pk)
    if request.method == "POST":
        return _save(request, ProposalForms(request.POST), mode="edit", proposal=proposal)
    data = selectors.proposal_to_data(proposal)
    forms = ProposalForms(initial=data)
    if request.GET.get("check") == "submit":
        forms.add_errors(proposal_submit_problems(data))
    return _render_form(request, forms, mode="edit", proposal=proposal)


# --- detail and state changes ------------------------------------------------


def _render_detail(request, proposal, *, attachment_form=None, status: int = 200):
    can_edit = selectors.proposal_can_edit(user=request.user, proposal=proposal)
    return render(
        request,
        "proposals/detail.html",
        {
            "proposal": proposal,
            **selectors.proposal_display(proposal),
            "can_edit": can_edit,
            "can_reopen": selectors.proposal_can_reopen(user=request.user, proposal=proposal),
            "attachment_form": attachment_form or (AttachmentForm() if can_edit else None),
        },
        status=status,
    )


def post_only(page: str, *, kwarg: str = "pk"):
    """A change URL (submit, reopen, delete an attachment …) takes POST; a GET or HEAD on it (a
    bookmarked or reloaded address, a link opened in a new tab) goes to the page the action
    belongs to (``page``, with the URL's ``kwarg``), any other method is 405."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in ("GET", "HEAD"):
                return redirect(page, pk=kwargs[kwarg])
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


@login_required
def proposal_detail(request, pk: int):
    return _render_detail(request, selectors.proposal_get_for_user(user=request.user, pk=pk))


@login_required
@post_only("proposals:detail")
def proposal_submit(request, pk: int):
    """Submit a draft (see _submit): a POST with confirm=1 submits despite failing conditions."""
    proposal = _proposal_for_change(request, pk)
    if proposal.state != ProposalState.DRAFT:
        messages.error(request, _("只有草稿可以提交。"))
        return redirect("proposals:detail", pk=proposal.pk)
    return _submit(request, proposal, confirmed=request.POST.get("confirm") == "1", loaded=True)


@login_required
@require_http_methods(["GET"])
def proposal_submit_confirm(request, pk: int):
    """What the draft's current content fails, checked now, before it is submitted anyway."""
    proposal = _proposal_for_change(request, pk)
    if proposal.state != ProposalState.DRAFT:
        return redirect("proposals:detail", pk=proposal.pk)
    failures = _submit_warnings(request, proposal, reuse=True, loaded=True)
    return render(
        request, "proposals/submit_confirm.html", {"proposal": proposal, "failures": failures or []}
    )


@login_required
@post_only("proposals:detail")
def proposal_reopen(request, pk: int):
    proposal = _proposal_for_change(request, pk)
    if not selectors.proposal_can_reopen(user=request.user, proposal=proposal):
        messages.error(request, _("预审进行中的申报书不能撤回，请稍后再试。"))
        return redirect("proposals:detail", pk=proposal.pk)
    try:
        services.proposal_reopen(proposal=proposal, by=request.user)
    except services.TransitionNotAllowed:
        messages.error(request, _("预审进行中的申报书不能撤回，请稍后再试。"))
    else:
        messages.success(request, _("已撤回为草稿，可以修改后重新提交。"))
    return redirect("proposals:detail", pk=proposal.pk)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_delete(request, pk: int):
    """GET asks for confirmation, POST deletes."""
    proposal = _proposal_for_change(request, pk)
    if request.method == "GET":
        if proposal.state != ProposalState.DRAFT:
            messages.error(request, _("只有草稿可以删除。"))
            return redirect("proposals:detail", pk=proposal.pk)
        return render(request, "proposals/delete.html", {"proposal": proposal})
    try:
        services.proposal_delete(proposal=proposal, by=request.user)
    except services.ProposalNotEditable:
        messages.error(request, _("只有草稿可以删除。"))
        return redirect("proposals:detail", pk=proposal.pk)
    messages.success(request, _("草稿已删除。"))
    return redirect("proposals:list")


# --- attachments -------------------------------------------------------------


@login_required
@post_only("proposals:detail")
def attachment_upload(request, pk: int):
    proposal = _proposal_for_change(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                proposal=proposal,
                kind=form.cleaned_data["kind"],
                file=form.cleaned_data["file"],
                by=request.user,
            )
        except UploadRejected as exc:
            form.add_error("file", exc.message)
        except FileNotSaved:  # the media storage is full or read-only: nothing was stored
            return file_not_saved_page(request, back=reverse("proposals:detail", args=[proposal.pk]))
        except services.ProposalNotEditable:
            messages.error(request, _("只有草稿可以添加附件。"))
            return redirect("proposals:detail", pk=proposal.pk)
        else:
            messages.success(request, _("附件已上传。"))
            return redirect("proposals:detail", pk=proposal.pk)
    return _render_detail(request, proposal, attachment_form=form, status=400)


@login_required
def attachment_download(request, pk: int, attachment_pk: int):
    attachment = selectors.attachment_get_for_user(user=request.user, proposal_pk=pk, pk=attachment_pk)
    if not attachment.file:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.download_name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"  # the type found by content, never the browser's guess
    # Attachments carry ID numbers: every download is in the audit trail.
    audit_record(
        actor=request.user,
        action="attachment.downloaded",
        target=attachment,
        data={"proposal": pk, "kind": attachment.kind, "name": attachment.original_name},
    )
    return response


@login_required
@post_only("proposals:detail")
def attachment_delete(request, pk: int, attachment_pk: int):
    attachment = selectors.attachment_get_for_user(user=request.user, proposal_pk=pk, pk=attachment_pk)
    _proposal_for_change(request, pk)
    try:
        services.attachment_delete(attachment=attachment, by=request.user)
    except services.ProposalNotEditable:
        messages.error(request, _("只有草稿可以删除附件。"))
    else:
        messages.success(request, _("附件已删除。"))
    return redirect("proposals:detail", pk=pk)


# --- uploaded drafts ---------------------------------------------------------


def _upload_context(form) -> dict:
    return {"form": form, "max_upload": settings.MAX_UPLOAD_BYTES}


@login_required
@require_http_methods(["GET", "POST"])
def draft_upload(request):
    _may_create(request.user)
    form = DraftUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                upload = services.draft_upload_create(
                    owner=request.user, file=form.cleaned_data["file"], by=request.user
                )
            except UploadRejected as exc:
                form.add_error("file", exc.message)
            except FileNotSaved:  # the media storage is full or read-only: nothing was stored
                return file_not_saved_page(request, back=reverse("proposals:upload"))
            else:
                upload.refresh_from_db()
                if upload.state != UploadState.FAILED:
                    return redirect("proposals:upload_detail", pk=upload.pk)
                # Read at once (tasks run eagerly) and unreadable: say so right here.
                form.add_error("file", upload_error_message(upload.error))
        return render(request, "proposals/upload.html", _upload_context(form), status=400)
    return render(request, "proposals/upload.html", _upload_context(form))


@login_required
@require_http_methods(["GET", "POST"])
def draft_upload_detail(request, pk: int):
    upload = selectors.draft_upload_get_for_user(user=request.user, pk=pk)
    if upload.proposal_id:
        return redirect("proposals:detail", pk=upload.proposal_id)
    if upload.state != UploadState.DONE:
        return render(
            request,
            "proposals/upload_status.html",
            {
                "upload": upload,
                "error": upload_error_message(upload.error) if upload.state == UploadState.FAILED else "",
                "stalled": selectors.draft_upload_stalled(upload),
                "jobs_waiting": upload.state == UploadState.QUEUED and jobs_waiting_for_service(),
                "form": DraftUploadForm(),
            },
        )
    if request.method == "POST":
        return _save(request, ProposalForms(request.POST, found=upload.found), mode="confirm", upload=upload)
    data = services.draft_upload_data(upload)
    if data.guide_year is None:
        data.guide_year = selectors.guide_year_default()
    return _render_form(
        request, ProposalForms(initial=data, found=upload.found), mode="confirm", upload=upload
    )


@login_required
@post_only("proposals:upload_detail")
def draft_upload_discard(request, pk: int):
    upload = selectors.draft_upload_get_for_user(user=request.user, pk=pk)
    if services.draft_upload_discard(upload=upload, by=request.user):
        messages.success(request, _("上传的草稿已丢弃。"))
    elif upload.proposal_id:
        return redirect("proposals:detail", pk=upload.proposal_id)
    return redirect("proposals:list")


@login_required
def template_download(request, fmt: str):
    """The blank draft template, generated for the current guide year."""
    builders = {"docx": docgen.build_docx, "pdf": docgen.build_pdf}
    if fmt not in builders:
        raise Http404
    content = builders[fmt](ProposalData(guide_year=selectors.guide_year_default()))
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"申报书草稿模板.{fmt}")
    return response


# --- import ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def proposal_import(request):
    if not is_officer(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            content = upload_read(upload)
        except UploadRejected as exc:
            form.add_error("file", exc.message)
        else:
            report = services.proposals_import_file(
                content=content,
                owner=form.cleaned_data["owner"],  # never the officer: an applicant or none
                by=request.user,
                source=f"web:{upload.name}",
                allow_registries=is_admin(request.user),  # officers must not manage registries
            )
    status = 400 if request.method == "POST" and (report is None or not report.ok) else 200
    context = {"form": form, "report": report, "can_load_registries": is_admin(request.user)}
    if report is not None and report.registries:
        context["registry_counts"] = services.registry_names(report.registries)
    return render(request, "proposals/import.html", context, status=status)


# --- accounts ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signup(request):
    """A free and a taken username get the same answer (redirect to the login page,
    same message, same e-mail), so sign-up does not reveal which accounts exist."""
    if request.user.is_authenticated:
        return redirect("proposals:list")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        limits = settings.SIGNUP_LIMITS
        if not rate_allow_all(
            checks=[
                ("signup:address", client_ip(request), limits["address"]),
                ("signup:email", form.cleaned_data["email"], limits["email"]),
            ]
        ):
            return render(request, "registration/too_many_requests.html", status=429)
        services.applicant_register(
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password1"],
            email=form.cleaned_data["email"],
            login_url=request.build_absolute_uri(reverse("login")),
            reset_url=request.build_absolute_uri(reverse("password_reset")),
        )
        messages.success(
            request,
            _(
                "注册申请已收到，确认邮件已发往您填写的邮箱。如果该用户名此前未被使用，账号已经建立，"
                "请用刚才设置的密码登录；如果无法登录，说明该用户名已被注册，请使用“忘记密码”或换一个用户名。"
            ),
        )
        return redirect("login")
    return render(request, "proposals/signup.html", {"form": form}, status=400 if form.errors else 200)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's "send me a reset link", or, where no mail server is configured
    (PASSWORD_RESET_ENABLED off), a page saying to ask an administrator."""

    def dispatch(self, request, *args, **kwargs):
        if not settings.PASSWORD_RESET_ENABLED:
            return render(request, "registration/password_reset_unavailable.html")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        """Limited per client address (429 past it) and per e-mail address (past it the answer is the
        same and nothing is sent); the mail goes out from a worker, after the response."""
        limits, email = settings.PASSWORD_RESET_LIMITS, form.cleaned_data["email"]
        if not rate_allow(
            scope="reset:address",
            value=client_ip(self.request),
            limit=limits["address"][0],
            window=limits["address"][1],
        ):
            return render(self.request, "registration/too_many_requests.html", status=429)
        if rate_allow(scope="reset:email", value=email, limit=limits["email"][0], window=limits["email"][1]):
            services.accounts.password_reset_request(
                email=email, domain=self.request.get_host(), use_https=self.request.is_secure()
            )
        return redirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset confirmation; setting the new password also lifts a login
    lockout for that username (the lockout page points here)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.accounts.login_failures_clear(username=form.user.get_username())
        return response
