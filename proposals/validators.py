"""Checks on proposal data and on uploaded files. No writes.

* :func:`proposal_submit_errors` — what must be true before a draft can be
  submitted (required fields, resident ID numbers and the gender they encode,
  unified social credit codes). It works on a
  :class:`~proposals.interchange.ProposalData`, so the same rules apply
  whichever way the proposal came in (form, upload, import).
* :func:`gender_mismatch_message` — a stated gender that contradicts the ID
  number (the form's check and the submission's share it).
* :func:`validate_plain_text` / :data:`validate_reference` — what a single text
  value may contain (the form's field validators; the import reader applies the
  same rules from :mod:`proposals.interchange`).
* :func:`upload_check_draft` / :func:`upload_check_attachment` — hostile-upload
  rules: the size limit is checked before the file is read, the type is decided
  by content (never by the name or the browser's content type).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .enums import Gender
from .extraction.model import ExtractionError
from .extraction.sniff import sniff
from .identifiers import (
    check_credit_code,
    check_resident_id,
    gender_from_id,
    looks_like_resident_id,
    normalize_identifier,
)
from .interchange import REFERENCE_PATTERN, PersonData, ProposalData, SubtaskData, control_character

# --------------------------------------------------------------------------- #
# Single values (the form's field validators)
# --------------------------------------------------------------------------- #


def validate_plain_text(value: str) -> None:
    """Refuse C0 control characters other than tab, line feed and carriage return
    (NUL included) and lone surrogates: they break the spreadsheet exports."""
    found = control_character(value)
    if found is not None:
        position, char = found
        raise ValidationError(
            _("含有不允许的控制字符（%(char)s，第 %(position)d 个字符），请删除后再保存。"),
            code="control_character",
            params={"char": char, "position": position},
        )


def gender_mismatch_message(gender: str | None, id_number: str | None) -> str | None:
    """The message when ``gender`` ("male"/"female") contradicts what the resident ID
    number ``id_number`` encodes in its 17th digit (odd: male, even: female); None
    when they agree, either is missing, or the number is not a well-formed resident ID
    (passports and other documents encode no gender: the stated one stands)."""
    derived = gender_from_id(id_number)
    if gender not in Gender.values or derived is None or derived == gender:
        return None
    return _(
        "性别填写为“%(gender)s”，但证件号码 %(id_number)s 的第 17 位（%(digit)s）表示%(derived)s"
        "（奇数为男，偶数为女），请核对性别或证件号码。"
    ) % {
        "gender": Gender(gender).label,
        "id_number": id_number,
        "digit": normalize_identifier(id_number)[16],
        "derived": Gender(derived).label,
    }


validate_reference = RegexValidator(
    REFERENCE_PATTERN,
    message=_("编号只能使用半角字母、数字和 - _ . / 这几个符号，最长 64 个字符。"),
    code="invalid_reference",
)


# --------------------------------------------------------------------------- #
# Submission
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class FieldError:
    """One problem with one field. ``path`` is the interchange path (``pi.id_number``,
    ``units[1].credit_code``); ``code`` is stable, ``message`` is for people."""

    path: str
    code: str
    message: str

    @property
    def label(self) -> str:
        return path_label(self.path)


FIELD_LABELS = {
    "reference": _("编号"),
    "guide_year": _("指南年度"),
    "direction": _("指南方向"),
    "title": _("项目名称"),
    "recommender": _("推荐单位"),
    "start_date": _("开始日期"),
    "end_date": _("结束日期"),
    "budget": _("经费"),
    "budget.national": _("国拨经费（万元）"),
    "budget.matching": _("配套经费（万元）"),
    "research_content": _("研究内容"),
    "indicators": _("考核指标"),
    "pi": _("项目负责人"),
    "units": _("单位"),
    "members": _("项目骨干"),
    "subtasks": _("课题"),
    "attachments": _("附件"),
}
PERSON_LABELS = {
    "name": _("姓名"),
    "gender": _("性别"),
    "id_number": _("证件号码"),
    "birth_date": _("出生日期"),
    "nationality": _("国籍/地区"),
    "title": _("职称"),
    "degree": _("学位"),
    "employer": _("工作单位"),
    "employment": _("聘用方式"),
    "employment_proofs": _("聘用证明份数"),
    "civil_servant": _("国家机关公务人员"),
    "role": _("分工"),
    "unit": _("工作单位"),
}
UNIT_LABELS = {
    "name": _("单位名称"),
    "credit_code": _("统一社会信用代码"),
    "country": _("国别/地区"),
    "type": _("单位类型"),
    "registered_on": _("注册日期"),
    "role": _("角色"),
    "third_party_testing": _("第三方公共检测机构"),
    "hgr_license": _("人类遗传资源保藏行政许可"),
}
SUBTASK_LABELS = {
    "name": _("课题名称"),
    "lead_unit": _("承担单位"),
    "lead_name": _("课题负责人"),
    "lead_id_number": _("负责人证件号码"),
    "lead_birth_date": _("负责人出生日期"),
    "lead_title": _("负责人职称"),
    "lead_degree": _("负责人学位"),
    "national_funding": _("国拨经费（万元）"),
}
_ITEM_LABELS = {"units": UNIT_LABELS, "members": PERSON_LABELS, "subtasks": SUBTASK_LABELS}
_ITEM_PATH = re.compile(r"(units|members|subtasks)\[(\d+)\](?:\.(\w+))?")


def path_label(path: str) -> str:
    """A readable name for an interchange path: ``units[1].credit_code`` → "单位 2 · 统一社会信用代码"."""
    if path in FIELD_LABELS:
        return str(FIELD_LABELS[path])
    if path.startswith("pi."):
        return f"{FIELD_LABELS['pi']} · {PERSON_LABELS.get(path[3:], path[3:])}"
    m = _ITEM_PATH.fullmatch(path)
    if m:
        kind, index, key = m.groups()
        head = f"{FIELD_LABELS[kind]} {int(index) + 1}"
        if key is None:
            return head
        labels = _ITEM_LABELS[kind]
        return f"{head} · {labels.get(key, key)}"
    return path


REQUIRED = _("必填项，提交前请填写。")
ID_MESSAGES = {
    "length": _("身份证号码应为 18 位。"),
    "format": _("身份证号码格式不正确：应为 17 位数字加 1 位数字或 X。"),
    "checksum": _("身份证号码校验位不正确（GB 11643），请核对是否输错。"),
    "birth_date_invalid": _("身份证号码中的出生日期不是有效日期。"),
}
CREDIT_MESSAGES = {
    "length": _("统一社会信用代码应为 18 位。"),
    "format": _("统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）。"),
    "region_code": _("统一社会信用代码第 3–8 位应为行政区划代码（6 位数字）。"),
    "checksum": _("统一社会信用代码校验位不正确（GB 32100），请核对是否输错。"),
    "org_code_length": _("统一社会信用代码中的组织机构代码不正确。"),
    "org_code_format": _("统一社会信用代码中的组织机构代码格式不正确。"),
    "org_code_checksum": _("统一社会信用代码中的组织机构代码校验位不正确（GB 11714）。"),
}


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_DIGITS_ID = re.compile(r"\d+X?")


def digits_id_message(id_number: str | None, nationality: str | None) -> str | None:
    """The refusal of an ID number of digits only (perhaps ending in X) that is not 18 long, given
    without a nationality: read as a resident ID it is wrong, read as a foreign document the
    nationality is missing. None when there is nothing to refuse. The form says it when the field
    is typed; the submission checks (:func:`proposal_submit_errors`) say it for every path in."""
    code = normalize_identifier(id_number)
    if nationality or not code or len(code) == 18 or not _DIGITS_ID.fullmatch(code):
        return None
    return _(
        "证件号码为 %(n)s 位数字：居民身份证号码应为 18 位；如是外国证件（护照等），请同时填写国籍/地区。"
    ) % {"n": len(code)}


def _needs_resident_id_check(person: PersonData) -> bool:
    """Mainland resident ID rules apply to Chinese nationals. Passports and other
    foreign documents are not checked; with no nationality stated, a number shaped
    like a resident ID is checked."""
    if person.nationality:
        return person.nationality == "CN"
    return looks_like_resident_id(person.id_number)


def _person_id_errors(person: PersonData, path: str, *, id_key: str = "id_number") -> list[FieldError]:
    """A gender that contradicts the ID number (at ``{path}.gender``), then the ID
    number's own errors (format, check digit, birth date; at ``{path}.{id_key}``)."""
    errors = []
    message = gender_mismatch_message(person.gender, person.id_number)
    if message is not None:
        errors.append(FieldError(f"{path}.gender", "gender_id_mismatch", message))
    if _blank(person.id_number):
        return errors
    if id_key == "id_number":  # people with a nationality field (a subtask's lead has none)
        message = digits_id_message(person.id_number, person.nationality)
        if message is not None:
            return [*errors, FieldError(f"{path}.{id_key}", "id_digits_without_nationality", message)]
    if not _needs_resident_id_check(person):
        return errors
    check = check_resident_id(person.id_number, person.birth_date)
    if check.valid:
        return errors
    if check.error == "birth_date_mismatch":
        message = _("身份证号码中的出生日期（%(embedded)s）与填写的出生日期（%(stated)s）不一致。") % {
            "embedded": check.birth_date.isoformat(),
            "stated": person.birth_date.isoformat(),
        }
        return [*errors, FieldError(f"{path}.{id_key}", "id_birth_date_mismatch", message)]
    return [*errors, FieldError(f"{path}.{id_key}", f"id_{check.error}", str(ID_MESSAGES[check.error]))]


def _subtask_lead(subtask: SubtaskData) -> PersonData:
    """A subtask's lead as a person, for the ID number checks (no nationality is asked: a
    number shaped like a resident ID is checked as one)."""
    return PersonData(
        name=subtask.lead_name,
        id_number=subtask.lead_id_number,
        birth_date=subtask.lead_birth_date,
    )


def proposal_submit_errors(p: ProposalData, *, known_directions: set[str] | None = None) -> list[FieldError]:
    """Everything that stops ``p`` from being submitted, in form order.

    ``known_directions`` is the set of direction codes of the proposal's guide
    year; None when that guide is not loaded (then any code is accepted).
    Returns an empty list when ``p`` can be submitted.
    """
    errors: list[FieldError] = []

    def required(path: str, value) -> bool:
        if _blank(value):
            errors.append(FieldError(path, "required", str(REQUIRED)))
            return False
        return True

    required("guide_year", p.guide_year)
    if required("direction", p.direction) and known_directions is not None:
        if p.direction not in known_directions:
            errors.append(
                FieldError(
                    "direction",
                    "unknown_direction",
                    _("%(year)s 年度指南中没有方向 %(code)s。") % {"year": p.guide_year, "code": p.direction},
                )
            )
    required("title", p.title)
    has_start = required("start_date", p.start_date)
    has_end = required("end_date", p.end_date)
    if has_start and has_end and p.end_date < p.start_date:
        errors.append(FieldError("end_date", "end_before_start", str(_("结束日期早于开始日期。"))))
    required("budget.national", p.budget.national if p.budget else None)

    pi = p.pi or PersonData()
    for key in ("name", "id_number", "birth_date", "title", "degree"):
        required(f"pi.{key}", getattr(pi, key))
    errors += _person_id_errors(pi, "pi")

    units = p.units or []
    if not units:
        errors.append(FieldError("units", "required", str(_("至少填写一个单位（申报单位）。"))))
    for i, unit in enumerate(units):
        path = f"units[{i}]"
        required(f"{path}.name", unit.name)
        required(f"{path}.country", unit.country)
        if unit.country == "CN" or (not unit.country and not _blank(unit.credit_code)):
            if required(f"{path}.credit_code", unit.credit_code):
                check = check_credit_code(unit.credit_code)
                if not check.valid:
                    message = CREDIT_MESSAGES.get(check.error, CREDIT_MESSAGES["checksum"])
                    errors.append(FieldError(f"{path}.credit_code", f"credit_{check.error}", str(message)))

    for i, member in enumerate(p.members or []):
        path = f"members[{i}]"
        required(f"{path}.name", member.name)
        errors += _person_id_errors(member, path)

    for i, subtask in enumerate(p.subtasks or []):
        path = f"subtasks[{i}]"
        required(f"{path}.name", subtask.name)
        errors += _person_id_errors(_subtask_lead(subtask), path, id_key="lead_id_number")
    return errors


# --------------------------------------------------------------------------- #
# Uploads
# --------------------------------------------------------------------------- #


class UploadRejected(Exception):
    """An upload that is not accepted; ``message`` says why, for the applicant."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CheckedUpload:
    data: bytes
    kind: str  # pdf / docx / png / jpeg
    content_type: str
    sha256: str
    size: int
    original_name: str


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "png": "image/png",
    "jpeg": "image/jpeg",
}
# Messages for the extraction package's stable error codes; anything else falls
# back to the package's own (bilingual) message.
EXTRACTION_MESSAGES = {
    "empty": _("文件是空的，请重新选择。"),
    "unknown_type": _("仅支持 PDF 或 Word（.docx）文件；文件类型按内容判断，与扩展名无关。"),
    "not_docx": _("这个压缩文件不是 Word（.docx）文档。"),
    "broken_zip": _("文件已损坏，无法读取。"),
    "broken": _("文件已损坏，无法读取。"),
    "broken_pdf": _("PDF 文件已损坏或不完整，无法读取。"),
    "broken_docx": _("Word 文档已损坏，无法读取。"),
    "unreadable": _("PDF 中的文字无法识别（字体缺少编码），请上传由 Word 导出的 PDF 或 .docx 文件。"),
    "encrypted": _("文档已加密（有密码保护），请去除密码后重新上传。"),
    "zip_bomb": _("文件解压后异常巨大，已拒绝。"),
    "too_many_members": _("文件内部结构异常（包含的部件过多），已拒绝。"),
    "no_text": _("没有读到文字：这可能是扫描件或纯图片 PDF。请上传由 Word 导出的 PDF 或 .docx 文件。"),
    "image_only": _("没有读到文字：这可能是扫描件或纯图片 PDF。请上传由 Word 导出的 PDF 或 .docx 文件。"),
    "too_many_pages": _("文件页数过多，已拒绝。"),
    "too_complex": _(
        "文件结构过于复杂，读取所需的内存或时间超出上限，请另存为 .docx 或由 Word 导出 PDF 后重新上传。"
    ),
}
# Reasons a stored upload could not be read (DraftUpload.error holds the code).
UPLOAD_MESSAGES = {
    **EXTRACTION_MESSAGES,
    "timeout": _("读取超时：文件过于复杂，请另存为 .docx 后重新上传。"),
    "file_missing": _("上传的文件无法读取，请重新上传。"),
    "internal": _("读取文件时出错，请检查文件后重新上传，或直接在表单中填写。"),
}


def extraction_message(exc: ExtractionError) -> str:
    message = EXTRACTION_MESSAGES.get(exc.code)
    return str(message) if message is not None else exc.message


def upload_error_message(error: str) -> str:
    """The applicant-facing text for a DraftUpload.error (a code or a message)."""
    message = UPLOAD_MESSAGES.get(error)
    return str(message) if message is not None else error


def _too_large(size: int, limit: int) -> UploadRejected:
    return UploadRejected(
        "too_large",
        str(_("文件过大（%(size)s），上限为 %(limit)s。"))
        % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
    )


def upload_read(file, *, max_bytes: int | None = None) -> bytes:
    """Read an uploaded file, refusing it by its declared size before reading, and
    never reading more than ``max_bytes`` + 1 bytes whatever it declared."""
    limit = settings.MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    if file is None:
        raise UploadRejected("missing", str(_("请选择要上传的文件。")))
    if file.size is not None and file.size > limit:
        raise _too_large(file.size, limit)
    file.seek(0)
    data = file.read(limit + 1)
    if len(data) > limit:
        raise _too_large(len(data), limit)
    if not data.strip():
        raise UploadRejected("empty", str(EXTRACTION_MESSAGES["empty"]))
    return data


def _checked(file, data: bytes, kind: str) -> CheckedUpload:
    return CheckedUpload(
        data=data,
        kind=kind,
        content_type=CONTENT_TYPES[kind],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        original_name=(getattr(file, "name", "") or "")[:255],
    )


def upload_check_draft(file) -> CheckedUpload:
    """A draft proposal: PDF or DOCX by content, within the size limit. Raises UploadRejected."""
    data = upload_read(file)
    try:
        kind = sniff(data, max_bytes=settings.MAX_UPLOAD_BYTES)
    except ExtractionError as exc:
        raise UploadRejected(exc.code, extraction_message(exc)) from exc
    return _checked(file, data, kind)


# An attachment's kind by its first bytes (from byte 0: a file that starts as something else — an
# executable, an HTML or SVG page — is not a PDF because "%PDF-" appears further on).
_ATTACHMENT_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "docx"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
)
ATTACHMENT_UNKNOWN = _("附件仅支持 PDF、Word（.docx）、PNG 或 JPEG 文件（按内容判断）。")
ATTACHMENT_UNREADABLE = _("附件的内容无法按其类型（%(kind)s）打开，请重新导出后上传。")


def _opens_as(data: bytes, kind: str) -> bool:
    """True when the parser of ``kind`` opens ``data``: PDFium (the document and its page count),
    the DOCX check of the draft reader (a bounded zip with its main part), Pillow for images
    (``verify``: the image's structure, without decoding its pixels)."""
    if kind == "pdf":
        import pypdfium2

        try:
            pdf = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError:
            return False
        try:
            return len(pdf) > 0
        finally:
            pdf.close()
    if kind == "docx":
        try:
            return sniff(data, max_bytes=settings.MAX_UPLOAD_BYTES) == "docx"
        except ExtractionError:
            return False
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != {"png": "PNG", "jpeg": "JPEG"}[kind]:
                return False
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False
    return True


def upload_check_attachment(file) -> CheckedUpload:
    """An attachment: PDF, DOCX, PNG or JPEG, decided by its content from byte 0 and confirmed by
    that kind's parser opening it, within the size limit. Raises UploadRejected."""
    data = upload_read(file)  # within the size limit, not empty
    kind = next((kind for magic, kind in _ATTACHMENT_MAGIC if data.startswith(magic)), None)
    if kind is None:
        raise UploadRejected("unknown_type", str(ATTACHMENT_UNKNOWN))
    if not _opens_as(data, kind):
        raise UploadRejected("not_openable", str(ATTACHMENT_UNREADABLE % {"kind": kind.upper()}))
    return _checked(file, data, kind)
