"""Writes of the surveys app. Pages, API, admin and the demo call these; nothing else writes responses,
suggestions, coding, duty items or the projects a problem item became.

Every function is ``entity_action(*, actor, …)``: it checks the actor's role and scope, locks the row it
changes, changes it and records the event in the same transaction."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from accounts.models import Community, Unit, User
from accounts.validators import validate_contact_phone
from jiangyan.core.audit import audit_record, audit_transition
from jiangyan.core.exceptions import ApplicationError, ConflictError, field_error
from jiangyan.core.roles import Role, is_admin, require_role
from jiangyan.core.scoping import lock_editable
from jiangyan.helpers import clock
from jiangyan.helpers.crypto import blind_index
from jiangyan.helpers.validators import bidi_message, has_bidi_controls, is_storable_text

from . import selectors, spreadsheets
from .choices import (
    PAPER_CHANNELS,
    RATING_MAX,
    RATING_MIN,
    TEXT_MAX_LENGTH,
    Channel,
    DutyStatus,
    QuestionKind,
    SuggestionSource,
    duty_move_action,
)
from .models import Answer, DutyItem, ProblemItem, Question, Response, Suggestion, Survey

SUGGESTION_MIN_LENGTH = 5


def duplicate_message() -> str:
    return _("您已提交过本问卷。")


def _signed_in(actor: User | AnonymousUser | None) -> bool:
    return actor is not None and actor.is_authenticated


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


def _rating_message() -> str:
    return _("请选择 %(min)d–%(max)d 分。") % {"min": RATING_MIN, "max": RATING_MAX}


def _malformed_message(kind: str) -> str:
    return {
        QuestionKind.SINGLE: _("请选择一个有效的选项。"),
        QuestionKind.MULTIPLE: _("请选择有效的选项。"),
        QuestionKind.RATING: _rating_message(),
        QuestionKind.NUMBER: _("请输入数字。"),
    }.get(kind, _("请输入文字。"))


def _answer_rows(question: Question, value: Any) -> list[Answer] | str:
    """The ``Answer`` rows of one non-blank answer, or the message saying what is wrong with it.
    TypeError / ValueError / IndexError for a value of the wrong shape."""
    option_ids = {o.pk for o in question.options.all()}
    if question.kind == QuestionKind.SINGLE:
        option_id = _as_int(value[0] if isinstance(value, list) and len(value) == 1 else value)
        if option_id not in option_ids:
            raise ValueError
        return [Answer(question=question, option_id=option_id)]
    if question.kind == QuestionKind.MULTIPLE:
        chosen = value if isinstance(value, list | tuple) else [value]
        chosen_ids = list(dict.fromkeys(_as_int(v) for v in chosen))
        if not chosen_ids or any(i not in option_ids for i in chosen_ids):
            raise ValueError
        return [Answer(question=question, option_id=i) for i in chosen_ids]
    if question.kind == QuestionKind.RATING:
        rating = _as_int(value)
        if not RATING_MIN <= rating <= RATING_MAX:
            return _rating_message()
        return [Answer(question=question, number=rating)]
    if question.kind == QuestionKind.NUMBER:
        if isinstance(value, bool):
            raise ValueError
        number = float(str(value).strip())
        if not math.isfinite(number):
            raise ValueError
        if question.min_value is not None and number < question.min_value:
            return _("不能小于 %(min)s。") % {"min": f"{question.min_value:g}"}
        if question.max_value is not None and number > question.max_value:
            return _("不能大于 %(max)s。") % {"max": f"{question.max_value:g}"}
        return [Answer(question=question, number=number)]
    if not isinstance(value, str) or not is_storable_text(value):
        raise ValueError
    if has_bidi_controls(value):
        return bidi_message()
    text = value.strip()
    if len(text) > TEXT_MAX_LENGTH:
        return _("不能超过 %(n)d 字。") % {"n": TEXT_MAX_LENGTH}
    return [Answer(question=question, text=text)]


def build_answers(
    questions: Iterable[Question], answers: Mapping[Any, Any]
) -> tuple[list[Answer], dict[str, list[str]]]:
    """Check ``answers`` (question id or ``q_<id>`` → value) against ``questions`` (options prefetched) and
    return unsaved ``Answer`` rows and the errors by field name (``q_<id>``)."""
    questions = list(questions)
    by_id = {q.pk: q for q in questions}
    values: dict[int, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, value in (answers or {}).items():
        question_id = _question_key(key)
        if question_id not in by_id:
            errors.setdefault("answers", []).append(_("问卷中没有题目 %(key)s。") % {"key": key})
            continue
        values[question_id] = value
    rows: list[Answer] = []
    for question in questions:
        value = values.get(question.pk)
        if _is_blank(value):
            if question.required:
                errors[question.field_name] = [_("此题为必答题。")]
            continue
        try:
            outcome = _answer_rows(question, value)
        except (TypeError, ValueError, IndexError):
            outcome = _malformed_message(question.kind)
        if isinstance(outcome, str):
            errors[question.field_name] = [outcome]
        else:
            rows.extend(outcome)
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


def _normalise_phone(phone: str, *, landline: bool) -> tuple[str, list[str]]:
    """The phone normalised, or ``""`` and the messages saying why it is not a phone number. Landlines
    only where staff write down a paper questionnaire (a visit, a forum, an import)."""
    if not phone:
        return "", []
    try:
        return validate_contact_phone(phone, landline=landline), []
    except ValidationError as exc:
        return "", [str(m) for m in exc.messages]


def _survey_questions(survey: Survey) -> list[Question]:
    return list(survey.questions.prefetch_related("options"))


def _save_answers(
    survey: Survey, pairs: list[tuple[Response, list[Answer]]], questions: list[Question]
) -> None:
    """Write the answers and the suggestions of saved responses."""
    questions_by_id = {q.pk: q for q in questions}
    answers: list[Answer] = []
    suggestions: list[Suggestion] = []
    for response, rows in pairs:
        for answer in rows:
            answer.response = response
        answers.extend(rows)
        suggestions.extend(_suggestions_of(survey, response, rows, questions_by_id))
    Answer.objects.bulk_create(answers, batch_size=5000)
    Suggestion.objects.bulk_create(suggestions, batch_size=2000)


@transaction.atomic
def response_submit(
    *,
    actor: User | AnonymousUser | None,
    survey: Survey,
    answers: Mapping[Any, Any],
    phone: str = "",
    community: Community | None = None,
    channel: str = Channel.ONLINE,
) -> Response:
    """Record one filled questionnaire: online (by the resident, signed in or — where the survey allows it —
    anonymous with a phone number; ``actor`` is then anonymous or None) or entered by community staff from
    paper (channel 大走访/夜访/座谈会).

    Refuses a survey outside its window, a second response of the same phone or account (ConflictError,
    also when two arrive at the same moment: the database constraint decides), and missing or malformed
    answers (``fields`` name each question as ``q_<id>``). All rows or none."""
    window_error = survey.window_error()
    if window_error:
        raise ApplicationError(_("%(reason)s，不能提交。") % {"reason": window_error}, code="survey_closed")

    signed_in = _signed_in(actor)
    errors: dict[str, list[str]] = {}
    if channel == Channel.ONLINE:
        if not signed_in and not survey.allow_anonymous:
            raise ApplicationError(_("本问卷需登录后填写。"), code="login_required")
        respondent = actor if signed_in else None
        entered_by = None
        if not phone and signed_in:
            phone = actor.phone or ""
        if not signed_in and not phone:
            errors["phone"] = [_("匿名填写请留手机号（每个手机号限填一次）。")]
    elif channel in PAPER_CHANNELS:
        require_role(actor, Role.COMMUNITY_STAFF)
        if not is_admin(actor):
            if community is None:
                community = actor.community
            if actor.community_id is None or community.pk != actor.community_id:
                raise PermissionDenied(_("只能录入本社区的问卷。"))
        respondent = None
        entered_by = actor
    else:
        raise field_error("channel", _("渠道无效。"))

    phone, phone_errors = _normalise_phone(phone, landline=channel in PAPER_CHANNELS)
    if phone_errors:
        errors["phone"] = phone_errors
    questions = _survey_questions(survey)
    rows, answer_errors = build_answers(questions, answers)
    errors.update(answer_errors)
    if errors:
        raise ApplicationError(_("请检查填写内容。"), code="invalid_answers", fields=errors)

    earlier = Response.objects.filter(survey=survey)
    if (phone and earlier.filter(phone_index=blind_index(phone)).exists()) or (
        respondent is not None and earlier.filter(respondent=respondent).exists()
    ):
        raise ConflictError(duplicate_message(), code="duplicate_response")
    # The same table as the pages' forms and the API's ``actions`` (``choices.SURVEY_MOVES``).
    selectors.survey_require_move(
        actor,
        survey,
        "answer" if channel == Channel.ONLINE else "enter",
        answered=lambda: ConflictError(duplicate_message(), code="duplicate_response"),
    )
    try:
        with transaction.atomic():  # a savepoint: the constraint's refusal leaves the transaction usable
            response = Response.objects.create(
                survey=survey,
                respondent=respondent,
                phone=phone,
                community=community,
                channel=channel,
                entered_by=entered_by,
                submitted_at=clock.now(),
            )
    except IntegrityError as exc:  # the same phone or account submitting at the same moment
        raise ConflictError(duplicate_message(), code="duplicate_response") from exc
    _save_answers(survey, [(response, rows)], questions)
    audit_record(
        actor=actor,
        verb="survey.response_submit" if entered_by is None else "survey.response_enter",
        target=response,
        after={"channel": channel, "community": str(community or "")},
    )
    return response


# --- import ---------------------------------------------------------------------------------------------


def _community_finder(communities: Iterable[Community]):
    """``find(town, name)``: the community by town and name, or by name alone when that is unambiguous."""
    by_place = {(c.town.name, c.name): c for c in communities}
    by_name: dict[str, list[Community]] = {}
    for community in by_place.values():
        by_name.setdefault(community.name, []).append(community)

    def find(town: str, name: str) -> Community | None:
        found = by_place.get((town, name))
        if found is None and name and not town and len(by_name.get(name, [])) == 1:
            found = by_name[name][0]
        return found

    return find


def _import_failed(errors: list[str]) -> ApplicationError:
    return ApplicationError(
        _("导入失败，未写入任何数据（%(n)d 处问题）。") % {"n": len(errors)},
        code="import_invalid",
        fields={"file": errors},
    )


def responses_import(*, actor: User, survey: Survey, file: IO[bytes]) -> int:
    """Import a spreadsheet of responses (``spreadsheets.import_template``): every row or none. Raises
    ``ApplicationError`` naming each bad row (``fields["file"]``: "第 N 行：…").

    The rows (up to 50,000) are read and checked before the transaction opens; the writing transaction
    locks the survey, and the phone constraint refuses a phone that answered online meanwhile."""
    require_role(actor, Role.ADMIN)
    questions = _survey_questions(survey)
    find_community = _community_finder(Community.objects.select_related("town"))
    errors: list[str] = []
    parsed: list[tuple[Response, list[Answer]]] = []
    phones_seen: dict[str, int] = {}
    labels = {q.field_name: spreadsheets.import_header(q) for q in questions}
    try:
        for row in spreadsheets.read_import(file, questions):
            row_errors = list(row.errors)
            phone, phone_errors = _normalise_phone(row.phone, landline=True)
            if phone_errors:
                row_errors.append(_("手机号不正确"))
            elif phone in phones_seen:
                row_errors.append(_("手机号与第 %(row)d 行重复") % {"row": phones_seen[phone]})
            elif phone:
                phones_seen[phone] = row.number
            community = find_community(row.town, row.community)
            if community is None:
                row_errors.append(
                    _("社区“%(place)s”不存在") % {"place": f"{row.town}{row.community}"}
                    if row.community
                    else _("缺少社区")
                )
            answers, answer_errors = build_answers(questions, row.answers)
            for name, messages in answer_errors.items():
                row_errors.extend(f"{labels.get(name, name)}：{m.rstrip('。')}" for m in messages)
            if row_errors:
                errors.append(
                    _("第 %(row)d 行：%(errors)s")
                    % {"row": row.number, "errors": "；".join(dict.fromkeys(row_errors))}
                )
                continue
            response = Response(
                survey=survey,
                phone=phone,
                community=community,
                channel=row.channel,
                entered_by=actor,
                submitted_at=row.submitted_at,
            )
            parsed.append((response, answers))
    except spreadsheets.SheetError as exc:
        raise ApplicationError(exc.message, code="import_invalid", fields={"file": [exc.detail]}) from exc

    if phones_seen and not errors:
        by_index = {blind_index(p): p for p in phones_seen}
        taken = [
            by_index[i]
            for i in Response.objects.filter(survey=survey, phone_index__in=list(by_index)).values_list(
                "phone_index", flat=True
            )
        ]
        errors.extend(
            _("第 %(row)d 行：手机号 %(phone)s 已提交过本问卷")
            % {"row": phones_seen[p], "phone": f"{p[:3]}****{p[-4:]}"}
            for p in sorted(set(taken))
        )
    if not parsed and not errors:
        errors.append(_("文件中没有数据行。"))
    if errors:
        raise _import_failed(errors)

    try:
        with transaction.atomic():
            lock_editable(Survey.objects, actor, pk=survey.pk, message=_("只有办公室可以导入问卷。"))
            responses = Response.objects.bulk_create([r for r, _rows in parsed], batch_size=2000)
            _save_answers(survey, list(zip(responses, [rows for _r, rows in parsed], strict=True)), questions)
            audit_record(
                actor=actor, verb="survey.responses_import", target=survey, after={"rows": len(responses)}
            )
    except IntegrityError as exc:
        raise ApplicationError(
            _("导入失败，未写入任何数据：有手机号已提交过本问卷。"),
            code="import_invalid",
            fields={"file": [_("有手机号已提交过本问卷（可能刚刚有人在线提交）。")]},
        ) from exc
    return len(responses)


# --- suggestions ----------------------------------------------------------------------------------------


@transaction.atomic
def suggestion_submit(
    *,
    actor: User | AnonymousUser | None,
    text: str,
    community: Community | None = None,
    survey: Survey | None = None,
) -> Suggestion:
    """A free suggestion (建议征集表) from anybody, signed in or not."""
    text = (text or "").strip()
    if len(text) < SUGGESTION_MIN_LENGTH:
        raise ApplicationError(
            _("建议内容太短。"), fields={"text": [_("请至少写 %(n)d 个字。") % {"n": SUGGESTION_MIN_LENGTH}]}
        )
    if len(text) > TEXT_MAX_LENGTH:
        raise ApplicationError(
            _("建议内容太长。"), fields={"text": [_("不能超过 %(n)d 字。") % {"n": TEXT_MAX_LENGTH}]}
        )
    suggestion = Suggestion.objects.create(
        text=text,
        source=SuggestionSource.FORM,
        survey=survey,
        community=community,
        submitted_by=actor if _signed_in(actor) else None,
        submitted_at=clock.now(),
    )
    audit_record(actor=actor, verb="suggestion.submit", target=suggestion)
    return suggestion


MAX_ITEMS_PER_SUGGESTION = 3


def _coding(suggestion: Suggestion) -> dict[str, Any]:
    """A suggestion's coding as its audit events record it: the main item and all its items, by code."""
    items = sorted(i.code for i in suggestion.problem_items.all())
    return {
        "problem_item": suggestion.problem_item.code if suggestion.problem_item else None,
        "problem_items": items,
    }


def _code(actor: User, suggestion: Suggestion, items: list[ProblemItem], now: dt.datetime) -> None:
    """Code a locked suggestion into ``items`` (the first is the main one) and record it."""
    before = _coding(suggestion)
    suggestion.problem_item, suggestion.coded_by, suggestion.coded_at = items[0], actor, now
    suggestion.save(update_fields=["problem_item", "coded_by", "coded_at"])
    suggestion.problem_items.set(items)
    audit_record(
        actor=actor,
        verb="suggestion.code",
        target=suggestion,
        before=before,
        after={"problem_item": items[0].code, "problem_items": sorted(i.code for i in items)},
    )


@transaction.atomic
def suggestions_code(*, actor: User, problem_item: ProblemItem, suggestion_ids: Iterable[int]) -> int:
    """Code many suggestions into one problem item (the office): each then has that item alone. Re-coding
    is allowed and audited, one event per suggestion with its items before and after."""
    require_role(actor, Role.ADMIN)
    ids = sorted({int(i) for i in suggestion_ids})
    if not ids:
        raise field_error("suggestions", _("请先选择建议。"))
    rows = list(
        Suggestion.objects.editable_by(actor)
        .select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("problem_item")
        .prefetch_related("problem_items")
        .order_by("pk")
    )
    if len(rows) != len(ids):
        raise field_error("suggestions", _("部分建议不存在。"))
    now = clock.now()
    for suggestion in rows:
        _code(actor, suggestion, [problem_item], now)
    return len(rows)


@transaction.atomic
def suggestion_code(
    *, actor: User, suggestion: Suggestion, problem_items: Iterable[ProblemItem]
) -> Suggestion:
    """Code one suggestion into one or more problem items (the office) — a suggestion that names two
    problems counts for both. The first item is the main one. Replaces the suggestion's coding; audited."""
    require_role(actor, Role.ADMIN)
    items = list({item.pk: item for item in problem_items}.values())  # once each, in the order given
    if not items:
        raise field_error("problem_items", _("请选择问题清单条目。"))
    if len(items) > MAX_ITEMS_PER_SUGGESTION:
        raise field_error(
            "problem_items", _("一条建议最多编码到 %(n)d 个条目。") % {"n": MAX_ITEMS_PER_SUGGESTION}
        )
    locked = lock_editable(Suggestion.objects, actor, pk=suggestion.pk, message=_("只有办公室可以编码建议。"))
    _code(actor, locked, items, clock.now())
    return locked


# --- problem list and duty list -------------------------------------------------------------------------


def _clean_action(action: str) -> str:
    action = (action or "").strip()
    if not action:
        raise field_error("action", _("请填写履职举措。"))
    return action


def _codes(projects: Iterable[models.Model]) -> list[str]:
    return sorted(p.code for p in projects)


def _lock_problem_item(actor: User, problem_item: ProblemItem) -> ProblemItem:
    require_role(actor, Role.ADMIN)
    return lock_editable(
        ProblemItem.objects, actor, pk=problem_item.pk, message=_("只有办公室可以转化问题清单。")
    )


@transaction.atomic
def duty_item_create(
    *,
    actor: User,
    problem_item: ProblemItem,
    unit: Unit,
    action: str,
    deadline: dt.date | None,
    projects: Iterable[models.Model] = (),
) -> DutyItem:
    """Turn a problem item into a duty item of ``unit`` (the office). The item starts 未开始."""
    item = _lock_problem_item(actor, problem_item)
    action = _clean_action(action)
    if deadline is None:
        raise field_error("deadline", _("请填写完成时限。"))
    duty_item = DutyItem.objects.create(problem_item=item, unit=unit, action=action, deadline=deadline)
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


def _check_move(actor: User, item: DutyItem, status: str) -> None:
    """The move to ``status`` must be one of the actor's in ``DUTY_MOVES`` (the same check as the page's
    choices and the API's ``actions``); the same status is no move."""
    if status not in DutyStatus.values:
        raise field_error("status", _("状态无效。"))
    if status == item.status:
        return
    action = duty_move_action(item.status, status)
    if action is not None and action in selectors.duty_item_actions_for(actor, item):
        return
    if item.status == DutyStatus.DONE:
        message = _("已完成的履职事项只能由办公室重新打开。")
    else:
        message = _("履职事项已是“%(current)s”，不能改为“%(new)s”。") % {
            "current": item.get_status_display(),
            "new": DutyStatus(status).label,
        }
    raise ConflictError(message, code="illegal_transition", fields={"status": [message]})


@transaction.atomic
def duty_item_update(
    *,
    actor: User,
    duty_item: DutyItem,
    status: str | None = None,
    progress_note: str | None = None,
    action: str | None = None,
    unit: Unit | None = None,
    deadline: dt.date | None = None,
    projects: Iterable[models.Model] | None = None,
) -> DutyItem:
    """Unit staff move their unit's duty items along (``choices.DUTY_MOVES``) and write the progress note;
    the office may change anything and reopen a finished item. ``None`` leaves a field as it is.

    Locks the row in scope (PermissionDenied outside it); an illegal status move is a ConflictError. A status
    move is recorded as a transition (the other changes ride along in its ``after``, their old values under
    ``previous``); other changes as one ``duty_item.update`` event with before and after."""
    item = lock_editable(DutyItem.objects, actor, pk=duty_item.pk, message=_("只能办理本单位的履职事项。"))
    office = is_admin(actor)
    if not office and any(v is not None for v in (action, unit, deadline, projects)):
        raise PermissionDenied(_("只有办公室可以修改履职事项的单位、举措、时限和关联项目。"))
    if status is not None:
        _check_move(actor, item, status)

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

    if "status" in after:
        old_status, new_status = before.pop("status"), after.pop("status")
        details = {**after, "previous": before} if before else after
        audit_transition(
            actor=actor,
            verb="duty_item.update",
            target=item,
            before=old_status,
            after=new_status,
            note=item.progress_note if "progress_note" in after else "",
            **details,
        )
    elif after:
        audit_record(actor=actor, verb="duty_item.update", target=item, before=before, after=after)
    return item


@transaction.atomic
def problem_item_link_projects(
    *, actor: User, problem_item: ProblemItem, projects: Iterable[models.Model]
) -> ProblemItem:
    """Set the projects a problem item was turned into (the office)."""
    item = _lock_problem_item(actor, problem_item)
    projects = list(projects)
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


# --- PIPL: phones not kept forever ------------------------------------------------------------------------


@transaction.atomic
def survey_erase_phones(*, survey: Survey, actor=None) -> int:
    """Erase the phones of every response of ``survey`` (``actor`` None: the retention task). Their blind
    index stays, so the one-answer-per-phone rule still holds. Returns how many phones were erased; a
    survey already erased is left alone."""
    locked = Survey.objects.select_for_update().get(pk=survey.pk)
    if locked.phones_erased_at is not None:
        return 0
    # ``update`` writes the column only: ``phone_index`` is kept.
    count = Response.objects.filter(survey=locked).exclude(phone="").update(phone="")
    locked.phones_erased_at = clock.now()
    locked.save(update_fields=["phones_erased_at"])
    audit_record(
        actor=actor,
        verb="survey.phones_erase",
        target=locked,
        after={"responses": count},
        label="" if actor is not None else "retention",
    )
    return count


def surveys_erase_expired_phones(*, now: dt.datetime | None = None) -> int:
    """Every closed survey past ``SURVEY_PHONE_RETENTION_DAYS`` whose phones are still kept."""
    limit = (now or clock.now()) - dt.timedelta(days=settings.SURVEY_PHONE_RETENTION_DAYS)
    due = Survey.objects.filter(closes_at__lte=limit, phones_erased_at__isnull=True).order_by("id")
    return sum(survey_erase_phones(survey=survey) for survey in due)
