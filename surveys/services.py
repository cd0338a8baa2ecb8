"""Writes of the surveys app. Pages, API and admin call these; nothing else writes responses, coding or
duty items."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Community, Unit
from accounts.validators import validate_mobile
from jiangyan.audit import audit_record
from jiangyan.exceptions import ApplicationError, ConflictError
from jiangyan.roles import Role, is_admin, require_role

from .choices import (
    PAPER_CHANNELS,
    RATING_MAX,
    RATING_MIN,
    TEXT_MAX_LENGTH,
    Channel,
    DutyStatus,
    QuestionKind,
    SuggestionSource,
)
from .models import Answer, DutyItem, ProblemItem, Question, Response, Suggestion, Survey

DUPLICATE_MESSAGE = "您已提交过本问卷。"
IMPORT_MAX_ROWS = 50_000
SUGGESTION_MIN_LENGTH = 5


# --- answers --------------------------------------------------------------------------------------------


def _question_key(key: Any) -> int | None:
    text = str(key)
    text = text[2:] if text.startswith("q_") else text
    return int(text) if text.isdigit() else None


def _is_blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float) and not value.is_integer():
        raise ValueError
    return int(str(value).strip()) if not isinstance(value, int | float) else int(value)


def build_answers(questions: Iterable[Question], answers: Mapping[Any, Any]) -> tuple[list[Answer], dict]:
    """Check ``answers`` (question id or ``q_<id>`` → value) against ``questions`` (options prefetched) and
    return unsaved ``Answer`` rows and the errors by field name (``q_<id>``)."""
    questions = list(questions)
    by_id = {q.pk: q for q in questions}
    values: dict[int, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, value in (answers or {}).items():
        question_id = _question_key(key)
        if question_id not in by_id:
            errors.setdefault("answers", []).append(f"问卷中没有题目 {key}。")
            continue
        values[question_id] = value
    rows: list[Answer] = []
    for question in questions:
        value = values.get(question.pk)
        name = question.field_name
        if _is_blank(value):
            if question.required:
                errors[name] = ["此题为必答题。"]
            continue
        option_ids = {o.pk for o in question.options.all()}
        try:
            if question.kind == QuestionKind.SINGLE:
                option_id = _as_int(value[0] if isinstance(value, list) and len(value) == 1 else value)
                if option_id not in option_ids:
                    raise ValueError
                rows.append(Answer(question=question, option_id=option_id))
            elif question.kind == QuestionKind.MULTIPLE:
                chosen = value if isinstance(value, list | tuple) else [value]
                chosen_ids = list(dict.fromkeys(_as_int(v) for v in chosen))
                if not chosen_ids or any(i not in option_ids for i in chosen_ids):
                    raise ValueError
                rows.extend(Answer(question=question, option_id=i) for i in chosen_ids)
            elif question.kind == QuestionKind.RATING:
                rating = _as_int(value)
                if not RATING_MIN <= rating <= RATING_MAX:
                    errors[name] = [f"请选择 {RATING_MIN}–{RATING_MAX} 分。"]
                    continue
                rows.append(Answer(question=question, number=rating))
            elif question.kind == QuestionKind.NUMBER:
                if isinstance(value, bool):
                    raise ValueError
                number = float(str(value).strip())
                if not math.isfinite(number):
                    raise ValueError
                if question.min_value is not None and number < question.min_value:
                    errors[name] = [f"不能小于 {question.min_value:g}。"]
                    continue
                if question.max_value is not None and number > question.max_value:
                    errors[name] = [f"不能大于 {question.max_value:g}。"]
                    continue
                rows.append(Answer(question=question, number=number))
            else:
                if not isinstance(value, str):
                    raise ValueError
                text = value.strip()
                if len(text) > TEXT_MAX_LENGTH:
                    errors[name] = [f"不能超过 {TEXT_MAX_LENGTH} 字。"]
                    continue
                rows.append(Answer(question=question, text=text))
        except (TypeError, ValueError, IndexError):
            errors[name] = [
                {
                    QuestionKind.SINGLE: "请选择一个有效的选项。",
                    QuestionKind.MULTIPLE: "请选择有效的选项。",
                    QuestionKind.RATING: f"请选择 {RATING_MIN}–{RATING_MAX} 分。",
                    QuestionKind.NUMBER: "请输入数字。",
                }.get(question.kind, "请输入文字。")
            ]
    return rows, errors


def _suggestions_of(
    survey: Survey, response: Response, rows: Iterable[Answer], questions_by_id: dict[int, Question]
) -> list[Suggestion]:
    return [
        Suggestion(
            text=row.text,
            source=SuggestionSource.ANSWER,
            survey=survey,
            response=response,
            community_id=response.community_id,
            submitted_by_id=response.respondent_id,
            submitted_at=response.submitted_at,
        )
        for row in rows
        if row.text and questions_by_id[row.question_id].is_suggestion
    ]


def _normalise_phone(phone: str, errors: dict) -> str:
    if not phone:
        return ""
    try:
        return validate_mobile(phone)
    except forms.ValidationError as exc:
        errors["phone"] = [str(m) for m in exc.messages]
        return ""


def _survey_questions(survey: Survey) -> list[Question]:
    return list(survey.questions.prefetch_related("options"))


def response_submit(
    *,
    survey: Survey,
    answers: Mapping[Any, Any],
    actor=None,
    phone: str = "",
    community: Community | None = None,
    channel: str = Channel.ONLINE,
) -> Response:
    """Record one filled questionnaire: online (by the resident, signed in or — where the survey allows it —
    anonymous with a phone number) or entered by community staff from paper (channel 大走访/夜访/座谈会).

    Refuses a survey outside its window, a second response of the same phone or account, and missing or
    malformed answers (``fields`` name each question as ``q_<id>``). One transaction: all rows or none."""
    window_error = survey.window_error()
    if window_error:
        raise ApplicationError(f"{window_error}，不能提交。", code="survey_closed")

    signed_in = actor is not None and getattr(actor, "is_authenticated", False)
    errors: dict[str, list[str]] = {}
    if channel == Channel.ONLINE:
        if not signed_in and not survey.allow_anonymous:
            raise ApplicationError("本问卷需登录后填写。", code="login_required")
        respondent = actor if signed_in else None
        entered_by = None
        if not phone and signed_in:
            phone = actor.phone or ""
        if not signed_in and not phone:
            errors["phone"] = ["匿名填写请留手机号（每个手机号限填一次）。"]
    elif channel in PAPER_CHANNELS:
        require_role(actor, Role.COMMUNITY_STAFF)
        if not is_admin(actor):
            if community is None:
                community = actor.community
            if actor.community_id is None or community.pk != actor.community_id:
                raise PermissionDenied("只能录入本社区的问卷。")
        respondent = None
        entered_by = actor
    else:
        raise ApplicationError("渠道无效。", fields={"channel": ["渠道无效。"]})

    phone = _normalise_phone(phone, errors)
    questions = _survey_questions(survey)
    rows, answer_errors = build_answers(questions, answers)
    errors.update(answer_errors)
    if errors:
        raise ApplicationError("请检查填写内容。", code="invalid_answers", fields=errors)

    duplicate = Response.objects.filter(survey=survey)
    if (phone and duplicate.filter(phone=phone).exists()) or (
        respondent is not None and duplicate.filter(respondent=respondent).exists()
    ):
        raise ConflictError(DUPLICATE_MESSAGE, code="duplicate_response")

    try:
        with transaction.atomic():
            response = Response.objects.create(
                survey=survey,
                respondent=respondent,
                phone=phone,
                community=community,
                channel=channel,
                entered_by=entered_by,
                submitted_at=timezone.now(),
            )
            for row in rows:
                row.response = response
            Answer.objects.bulk_create(rows)
            Suggestion.objects.bulk_create(
                _suggestions_of(survey, response, rows, {q.pk: q for q in questions})
            )
            if entered_by is not None:
                audit_record(
                    actor=actor,
                    verb="survey.response_enter",
                    target=response,
                    after={"channel": channel, "community": str(community or "")},
                )
    except IntegrityError as exc:  # the same phone or account submitting at the same moment
        raise ConflictError(DUPLICATE_MESSAGE, code="duplicate_response") from exc
    return response


# --- import ---------------------------------------------------------------------------------------------

IMPORT_FIXED_COLUMNS = ("提交时间", "手机号", "镇（街道）", "社区（村）", "渠道")
_MULTI_SEPARATOR = re.compile(r"[;；,，、|\n]+")


def import_header(question: Question) -> str:
    return f"{question.order}. {question.text}"


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _parse_time(value: Any) -> dt.datetime:
    if value in (None, ""):
        return timezone.now()
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(12))
    else:
        text = str(value).strip()
        for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M", "%Y/%m/%d"):
            try:
                moment = dt.datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        else:
            raise ValueError(text)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _cell_answer(question: Question, value: Any, options_by_text: dict[str, int]) -> Any:
    """Turn a spreadsheet cell into the value ``build_answers`` expects (option texts → option ids)."""
    text = _cell_text(value)
    if not text:
        return None
    if question.kind == QuestionKind.SINGLE:
        if text not in options_by_text:
            raise ValueError(f"选项“{text}”不存在")
        return options_by_text[text]
    if question.kind == QuestionKind.MULTIPLE:
        chosen = [t.strip() for t in _MULTI_SEPARATOR.split(text) if t.strip()]
        missing = [t for t in chosen if t not in options_by_text]
        if missing:
            raise ValueError(f"选项“{missing[0]}”不存在")
        return [options_by_text[t] for t in chosen]
    return text


def responses_import(*, survey: Survey, file, actor) -> int:
    """Import a spreadsheet of responses (the template of ``import_template``) in one transaction: every row
    or none. Raises ``ApplicationError`` naming each bad row (``fields["file"]``: "第 N 行：…")."""
    require_role(actor, Role.ADMIN)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [_cell_text(v) for v in next(rows, ())]
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ApplicationError(
            "无法读取该文件，请上传 .xlsx 格式的问卷导入模板。", fields={"file": ["文件格式不正确。"]}
        ) from exc

    questions = _survey_questions(survey)
    columns: dict[str, int] = {name: i for i, name in enumerate(header) if name}
    missing = [name for name in ("手机号", "社区（村）") if name not in columns]
    question_columns: dict[int, int] = {}
    for question in questions:
        for name in (import_header(question), question.text):
            if name in columns:
                question_columns[question.pk] = columns[name]
                break
        else:
            if question.required:
                missing.append(import_header(question))
    if missing:
        raise ApplicationError(
            "表头缺少列：" + "、".join(missing), fields={"file": ["表头缺少列：" + "、".join(missing)]}
        )

    communities = {(c.town.name, c.name): c for c in Community.objects.select_related("town")}
    community_by_name: dict[str, list[Community]] = {}
    for community in communities.values():
        community_by_name.setdefault(community.name, []).append(community)
    channel_by_label = {str(label): value for value, label in Channel.choices} | {
        v: v for v in Channel.values
    }
    options_by_question = {q.pk: {o.text: o.pk for o in q.options.all()} for q in questions}
    questions_by_id = {q.pk: q for q in questions}

    def cell(row: tuple, name: str) -> Any:
        index = columns.get(name)
        return row[index] if index is not None and index < len(row) else None

    errors: list[str] = []
    parsed: list[tuple[Response, list[Answer]]] = []
    phones_seen: dict[str, int] = {}
    for row_number, row in enumerate(rows, start=2):
        if row_number - 1 > IMPORT_MAX_ROWS:
            errors.append(f"一次最多导入 {IMPORT_MAX_ROWS} 行。")
            break
        if all(_cell_text(v) == "" for v in row):
            continue
        row_errors: list[str] = []
        try:
            submitted_at = _parse_time(cell(row, "提交时间"))
        except ValueError:
            row_errors.append("提交时间格式不正确（应为 2021-05-20 10:30）")
            submitted_at = None
        phone_errors: dict = {}
        phone = _normalise_phone(_cell_text(cell(row, "手机号")), phone_errors)
        if phone_errors:
            row_errors.append("手机号不正确")
        elif phone in phones_seen:
            row_errors.append(f"手机号与第 {phones_seen[phone]} 行重复")
        elif phone:
            phones_seen[phone] = row_number
        town_name, community_name = _cell_text(cell(row, "镇（街道）")), _cell_text(cell(row, "社区（村）"))
        community = communities.get((town_name, community_name))
        if (
            community is None
            and community_name
            and not town_name
            and len(community_by_name.get(community_name, [])) == 1
        ):
            community = community_by_name[community_name][0]
        if community is None:
            row_errors.append(f"社区“{town_name}{community_name}”不存在" if community_name else "缺少社区")
        channel_label = _cell_text(cell(row, "渠道"))
        channel = channel_by_label.get(channel_label) if channel_label else Channel.IMPORT
        if channel is None:
            row_errors.append(f"渠道“{channel_label}”无效")
        raw: dict[int, Any] = {}
        for question_id, index in question_columns.items():
            try:
                raw[question_id] = _cell_answer(
                    questions_by_id[question_id],
                    row[index] if index < len(row) else None,
                    options_by_question[question_id],
                )
            except ValueError as exc:
                row_errors.append(f"{import_header(questions_by_id[question_id])}：{exc}")
                raw[question_id] = None
        answers, answer_errors = build_answers(questions, {k: v for k, v in raw.items() if v is not None})
        for name, messages in answer_errors.items():
            question = questions_by_id.get(_question_key(name) or 0)
            label = import_header(question) if question else name
            row_errors.extend(f"{label}：{m.rstrip('。')}" for m in messages)
        if row_errors:
            errors.append(f"第 {row_number} 行：" + "；".join(dict.fromkeys(row_errors)))
            continue
        response = Response(
            survey=survey,
            phone=phone,
            community=community,
            channel=channel,
            entered_by=actor,
            submitted_at=submitted_at,
        )
        parsed.append((response, answers))

    if phones_seen and not errors:
        taken = set(
            Response.objects.filter(survey=survey, phone__in=list(phones_seen)).values_list(
                "phone", flat=True
            )
        )
        errors.extend(
            f"第 {phones_seen[p]} 行：手机号 {p[:3]}****{p[-4:]} 已提交过本问卷" for p in sorted(taken)
        )
    if not parsed and not errors:
        errors.append("文件中没有数据行。")
    if errors:
        raise ApplicationError(
            f"导入失败，未写入任何数据（{len(errors)} 处问题）。",
            code="import_invalid",
            fields={"file": errors},
        )

    try:
        with transaction.atomic():
            responses = Response.objects.bulk_create([r for r, _ in parsed], batch_size=2000)
            answers: list[Answer] = []
            suggestions: list[Suggestion] = []
            for response, (_, rows) in zip(responses, parsed, strict=True):
                for answer in rows:
                    answer.response = response
                answers.extend(rows)
                suggestions.extend(_suggestions_of(survey, response, rows, questions_by_id))
            Answer.objects.bulk_create(answers, batch_size=5000)
            Suggestion.objects.bulk_create(suggestions, batch_size=2000)
            audit_record(
                actor=actor, verb="survey.responses_import", target=survey, after={"rows": len(responses)}
            )
    except IntegrityError as exc:
        raise ApplicationError(
            "导入失败，未写入任何数据：有手机号已提交过本问卷。",
            code="import_invalid",
            fields={"file": ["有手机号已提交过本问卷（可能刚刚有人在线提交）。"]},
        ) from exc
    return len(responses)


# --- suggestions ----------------------------------------------------------------------------------------


def suggestion_submit(
    *, text: str, actor=None, community: Community | None = None, survey: Survey | None = None
) -> Suggestion:
    """A free suggestion (建议征集表) from anybody."""
    text = (text or "").strip()
    if len(text) < SUGGESTION_MIN_LENGTH:
        raise ApplicationError(
            "建议内容太短。", fields={"text": [f"请至少写 {SUGGESTION_MIN_LENGTH} 个字。"]}
        )
    if len(text) > TEXT_MAX_LENGTH:
        raise ApplicationError("建议内容太长。", fields={"text": [f"不能超过 {TEXT_MAX_LENGTH} 字。"]})
    signed_in = actor is not None and getattr(actor, "is_authenticated", False)
    return Suggestion.objects.create(
        text=text,
        source=SuggestionSource.FORM,
        survey=survey,
        community=community,
        submitted_by=actor if signed_in else None,
        submitted_at=timezone.now(),
    )


def suggestions_code(*, suggestion_ids: Iterable[int], problem_item: ProblemItem, actor) -> int:
    """Code many suggestions into one problem item (the office). Re-coding is allowed and audited."""
    require_role(actor, Role.ADMIN)
    ids = sorted({int(i) for i in suggestion_ids})
    if not ids:
        raise ApplicationError("请先选择建议。", fields={"suggestions": ["请先选择建议。"]})
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Suggestion.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .select_related("problem_item")
            .order_by("pk")
        )
        if len(rows) != len(ids):
            raise ApplicationError("部分建议不存在。", fields={"suggestions": ["部分建议不存在。"]})
        Suggestion.objects.filter(pk__in=ids).update(problem_item=problem_item, coded_by=actor, coded_at=now)
        for suggestion in rows:
            audit_record(
                actor=actor,
                verb="suggestion.code",
                target=suggestion,
                before={"problem_item": suggestion.problem_item.code if suggestion.problem_item else None},
                after={"problem_item": problem_item.code},
            )
    return len(rows)


# --- duty list ------------------------------------------------------------------------------------------


def _clean_action(action: str) -> str:
    action = (action or "").strip()
    if not action:
        raise ApplicationError("请填写履职举措。", fields={"action": ["请填写履职举措。"]})
    return action


def _codes(projects) -> list[str]:
    return sorted(p.code for p in projects)


def duty_item_create(
    *, problem_item: ProblemItem, unit: Unit, action: str, deadline: dt.date, actor, projects: Iterable = ()
) -> DutyItem:
    """Turn a problem item into a duty item of ``unit`` (the office)."""
    require_role(actor, Role.ADMIN)
    action = _clean_action(action)
    if deadline is None:
        raise ApplicationError("请填写完成时限。", fields={"deadline": ["请填写完成时限。"]})
    with transaction.atomic():
        duty_item = DutyItem.objects.create(
            problem_item=problem_item, unit=unit, action=action, deadline=deadline
        )
        projects = list(projects)
        if projects:
            duty_item.projects.set(projects)
        audit_record(
            actor=actor,
            verb="duty_item.create",
            target=duty_item,
            after={
                "unit": unit.name,
                "action": action,
                "deadline": deadline.isoformat(),
                "projects": _codes(projects),
            },
        )
    return duty_item


def duty_item_update(
    *,
    duty_item: DutyItem,
    actor,
    status: str | None = None,
    progress_note: str | None = None,
    action: str | None = None,
    unit: Unit | None = None,
    deadline: dt.date | None = None,
    projects: Iterable | None = None,
) -> DutyItem:
    """Unit staff update status and progress note of their unit's duty items; the office may change
    anything. Locks the row; records before and after."""
    if not DutyItem.objects.editable_by(actor).filter(pk=duty_item.pk).exists():
        raise PermissionDenied("只能办理本单位的履职事项。")
    if not is_admin(actor) and any(v is not None for v in (action, unit, deadline, projects)):
        raise PermissionDenied("只有办公室可以修改履职事项的单位、举措、时限和关联项目。")
    if status is not None and status not in DutyStatus.values:
        raise ApplicationError("状态无效。", fields={"status": ["状态无效。"]})
    with transaction.atomic():
        item = DutyItem.objects.select_for_update().get(pk=duty_item.pk)
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        changed: list[str] = []
        for name, value in (("status", status), ("progress_note", progress_note), ("deadline", deadline)):
            if value is not None and getattr(item, name) != value:
                before[name], after[name] = str(getattr(item, name)), str(value)
                setattr(item, name, value)
                changed.append(name)
        if action is not None and _clean_action(action) != item.action:
            before["action"], after["action"] = item.action, _clean_action(action)
            item.action = after["action"]
            changed.append("action")
        if unit is not None and unit.pk != item.unit_id:
            before["unit"], after["unit"] = str(item.unit), unit.name
            item.unit = unit
            changed.append("unit")
        if changed:
            item.save(update_fields=[*changed, "updated_at"])
        if projects is not None:
            projects = list(projects)
            old = _codes(item.projects.all())
            if old != _codes(projects):
                item.projects.set(projects)
                before["projects"], after["projects"] = old, _codes(projects)
        if after:
            audit_record(actor=actor, verb="duty_item.update", target=item, before=before, after=after)
    return item


def problem_item_link_projects(*, problem_item: ProblemItem, projects: Iterable, actor) -> ProblemItem:
    """Set the projects a problem item was turned into (the office)."""
    require_role(actor, Role.ADMIN)
    projects = list(projects)
    with transaction.atomic():
        item = ProblemItem.objects.select_for_update().get(pk=problem_item.pk)
        old = _codes(item.projects.all())
        if old != _codes(projects):
            item.projects.set(projects)
            audit_record(
                actor=actor,
                verb="problem_item.link_projects",
                target=item,
                before={"projects": old},
                after={"projects": _codes(projects)},
            )
    return item
