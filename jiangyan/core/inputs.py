"""One declaration per service input (STYLE "Said once"). Each field's label, limits and messages are
written once — read from the model's field where there is one (:func:`text_of`) — and the page's form and
the API's input serializer are both built from that declaration, so the page and the API cannot drift
apart; the service checks text with the same limits and message (:meth:`Text.clean`).
``tests/test_inputs.py`` walks every declaration and compares the form with the serializer.

A declaration knows nothing of widgets, placeholders or layout: a form adds those by field
(``WISH_CREATE.form(title={"widget": …})``), a serializer its help texts the same way.

The label of a declaration is the one its messages name (``心愿不能超过 60 字。``); a page may show a
longer label (``labels``) without changing what the messages say."""

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop
from rest_framework import serializers

from jiangyan.helpers.uploads import MultipleImageField, clean_image

from .exceptions import clean_text, field_error

REQUIRED = gettext_noop("请填写%(label)s。")
CHOOSE = gettext_noop("请选择%(label)s。")
TOO_LONG = gettext_noop("%(label)s不能超过 %(n)s 字。")
TOO_SHORT = gettext_noop("%(label)s至少 %(n)s 字。")
INVALID = gettext_noop("请填写有效的%(label)s。")
TOO_SMALL = gettext_noop("%(label)s不能小于 %(n)s。")
TOO_LARGE = gettext_noop("%(label)s不能大于 %(n)s。")
TOO_MANY_IMAGES = gettext_noop("最多上传 %(n)s 张图片。")

PAGE, API = "page", "api"


def _render(template: str, params: dict) -> str:
    return gettext(template) % {key: v if isinstance(v, int) else str(v) for key, v in params.items()}


_lazy_render = lazy(_render, str)


def message(template: str, **params):
    """``template`` (a msgid) translated into the language of the moment it is shown, with ``params``."""
    return _lazy_render(template, params)


# --- fields --------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class Field:
    """One field of an input. ``only``: ``PAGE`` or ``API`` when just one side takes it (an upload the
    JSON API does not carry, a query code the page keeps in its URL); the test checks the other lacks it."""

    label: Any
    required: bool = True
    messages: dict = field(default_factory=dict)
    only: str = ""

    def errors(self) -> dict:
        """The message of each error code, for Django and DRF alike (``blank``/``null``: DRF's "required")."""
        required = message(REQUIRED, label=self.label)
        return {"required": required, "blank": required, "null": required, **self.messages}

    def limits(self) -> dict:
        return {"required": self.required}

    def form_field(self, **options) -> forms.Field:
        raise NotImplementedError

    def api_field(self, **options) -> serializers.Field:
        raise NotImplementedError

    def _form_kwargs(self, options: dict) -> dict:
        return {"label": self.label, "required": self.required, "error_messages": self.errors(), **options}

    def _api_kwargs(self, options: dict, *, blank_default=serializers.empty) -> dict:
        kwargs: dict[str, Any] = {"error_messages": self.errors()}
        if not self.required:
            kwargs["default"] = blank_default
            if blank_default is serializers.empty:
                kwargs["required"] = False
        return {**kwargs, **options}


@dataclass(frozen=True, kw_only=True)
class Text(Field):
    max_length: int
    min_length: int | None = None

    def errors(self) -> dict:
        errors = {
            "max_length": message(TOO_LONG, label=self.label, n=self.max_length),
            "invalid": message(INVALID, label=self.label),
        }
        if self.min_length:
            errors["min_length"] = message(TOO_SHORT, label=self.label, n=self.min_length)
        return {**super().errors(), **errors, **self.messages}

    def limits(self) -> dict:
        return {**super().limits(), "max_length": self.max_length, "min_length": self.min_length}

    def form_field(self, **options) -> forms.Field:
        field_class = options.pop("field_class", forms.CharField)
        limits = {"max_length": self.max_length, "min_length": self.min_length}
        return field_class(**limits, **self._form_kwargs(options))

    def api_field(self, **options) -> serializers.Field:
        kwargs = self._api_kwargs(options, blank_default="")
        if not self.required:
            kwargs.setdefault("allow_blank", True)
        return serializers.CharField(max_length=self.max_length, min_length=self.min_length, **kwargs)

    def clean(self, value: str | None, name: str) -> str:
        """The service's own check: ``value`` stripped, with the message the form and the API give."""
        value = clean_text(value, name, str(self.label), required=False)  # stripped, no bidi controls
        if self.required and not value:
            code = "required"
        elif value and self.min_length and len(value) < self.min_length:
            code = "min_length"
        elif len(value) > self.max_length:
            code = "max_length"
        else:
            return value
        raise field_error(name, str(self.errors()[code]))


@dataclass(frozen=True, kw_only=True)
class Choice(Field):
    choices: Any  # [(value, label), …] or a ``TextChoices`` class
    default: Any = None

    def values(self) -> list:
        return [value for value, _label in self.options()]

    def options(self) -> list:
        return list(getattr(self.choices, "choices", self.choices))

    def errors(self) -> dict:
        choose = message(CHOOSE, label=self.label)
        errors = {"required": choose, "blank": choose, "null": choose, "invalid_choice": choose}
        return {**errors, **self.messages}

    def limits(self) -> dict:
        return {**super().limits(), "choices": self.values()}

    def form_field(self, **options) -> forms.Field:
        field_class = options.pop("field_class", forms.ChoiceField)
        choices = options.pop("choices", self.options())
        if "empty_label" in options:
            choices = [("", options.pop("empty_label")), *choices]
        if self.default is not None:
            options.setdefault("initial", self.default)
        return field_class(choices=choices, **self._form_kwargs(options))

    def api_field(self, **options) -> serializers.Field:
        default = self.default if self.default is not None else serializers.empty
        kwargs = self._api_kwargs(options, blank_default=default)
        return serializers.ChoiceField(choices=self.options(), **kwargs)


@dataclass(frozen=True, kw_only=True)
class Integer(Field):
    min_value: int | None = None
    max_value: int | None = None

    def errors(self) -> dict:
        errors = {"invalid": message(INVALID, label=self.label)}
        if self.min_value is not None:
            errors["min_value"] = message(TOO_SMALL, label=self.label, n=self.min_value)
        if self.max_value is not None:
            errors["max_value"] = message(TOO_LARGE, label=self.label, n=self.max_value)
        return {**super().errors(), **errors, **self.messages}

    def limits(self) -> dict:
        return {**super().limits(), "min_value": self.min_value, "max_value": self.max_value}

    def form_field(self, **options) -> forms.Field:
        return forms.IntegerField(
            min_value=self.min_value, max_value=self.max_value, **self._form_kwargs(options)
        )

    def api_field(self, **options) -> serializers.Field:
        return serializers.IntegerField(
            min_value=self.min_value, max_value=self.max_value, **self._api_kwargs(options)
        )


class DateField(serializers.DateField):
    """An empty date is no date, as on the page (DRF would call "" a wrongly written date)."""

    def validate_empty_values(self, data):
        return super().validate_empty_values(None if data == "" else data)


@dataclass(frozen=True, kw_only=True)
class Date(Field):
    def errors(self) -> dict:
        return {**super().errors(), "invalid": message(INVALID, label=self.label), **self.messages}

    def form_field(self, **options) -> forms.Field:
        return forms.DateField(**self._form_kwargs(options))

    def api_field(self, **options) -> serializers.Field:
        kwargs = self._api_kwargs(options)
        if not self.required:
            kwargs.setdefault("allow_null", True)
        return DateField(**kwargs)


@dataclass(frozen=True, kw_only=True)
class Boolean(Field):
    required: bool = False

    def form_field(self, **options) -> forms.Field:
        return forms.BooleanField(**self._form_kwargs(options))

    def api_field(self, **options) -> serializers.Field:
        return serializers.BooleanField(**self._api_kwargs(options, blank_default=False))


@dataclass(frozen=True, kw_only=True)
class Ref(Field):
    """An object chosen by its id: a ``ModelChoiceField`` on the page, a ``PrimaryKeyRelatedField`` in the
    API, over the same ``queryset``."""

    queryset: Any
    many: bool = False

    def errors(self) -> dict:
        choose = message(CHOOSE, label=self.label)
        codes = ("required", "blank", "null", "invalid_choice", "invalid_pk_value", "invalid_list")
        codes += ("does_not_exist", "incorrect_type", "not_a_list", "empty")
        return {**dict.fromkeys(codes, choose), **self.messages}

    def form_field(self, **options) -> forms.Field:
        default_class = forms.ModelMultipleChoiceField if self.many else forms.ModelChoiceField
        field_class = options.pop("field_class", default_class)
        return field_class(queryset=options.pop("queryset", self.queryset), **self._form_kwargs(options))

    def api_field(self, **options) -> serializers.Field:
        kwargs = self._api_kwargs(options, blank_default=list if self.many else serializers.empty)
        if not self.required and not self.many:
            kwargs.setdefault("allow_null", True)
        return serializers.PrimaryKeyRelatedField(queryset=self.queryset, many=self.many, **kwargs)


class ImageListField(serializers.ListField):
    """The API's images of one upload: each checked and re-encoded as the page's are (``clean_image``)."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.ImageField(), **kwargs)

    def to_internal_value(self, data):
        try:
            return [clean_image(photo) for photo in super().to_internal_value(data)]
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error


@dataclass(frozen=True, kw_only=True)
class Images(Field):
    max_files: int
    required: bool = False

    def errors(self) -> dict:
        return {**super().errors(), "max_length": message(TOO_MANY_IMAGES, n=self.max_files), **self.messages}

    def limits(self) -> dict:
        return {**super().limits(), "max_files": self.max_files}

    def form_field(self, **options) -> forms.Field:
        return MultipleImageField(max_files=self.max_files, **self._form_kwargs(options))

    def api_field(self, **options) -> serializers.Field:
        kwargs = self._api_kwargs(options, blank_default=list)
        return ImageListField(max_length=self.max_files, **kwargs)


class CodesField(forms.CharField):
    """Codes typed on one line, separated by spaces or (full-width) commas: the list, in upper case."""

    def to_python(self, value):
        text = super().to_python(value)
        return [code.strip().upper() for code in text.replace("，", ",").replace(",", " ").split()]


class CodesListField(serializers.ListField):
    def to_internal_value(self, data):
        return [code.strip().upper() for code in super().to_internal_value(data)]


@dataclass(frozen=True, kw_only=True)
class Codes(Field):
    """Codes of objects (项目编号): typed on one line on the page (``max_length`` characters in all), a
    list in the API (each at most ``code_length``). The input's ``resolve`` looks them up."""

    max_length: int
    code_length: int
    required: bool = False

    def errors(self) -> dict:
        return {**super().errors(), "max_length": message(TOO_LONG, label=self.label, n=self.max_length)}

    def form_field(self, **options) -> forms.Field:
        return CodesField(max_length=self.max_length, **self._form_kwargs(options))

    def api_field(self, **options) -> serializers.Field:
        child = serializers.CharField(max_length=self.code_length, error_messages=self.errors())
        return CodesListField(child=child, **self._api_kwargs(options, blank_default=list))


# --- inputs --------------------------------------------------------------------------------------------
def text_of(model, name: str, **overrides) -> Text:
    """A text field declared by the model's field: its verbose name, ``max_length`` and ``blank``."""
    model_field = model._meta.get_field(name)
    declared = {"label": model_field.verbose_name, "max_length": model_field.max_length}
    declared["required"] = not model_field.blank
    return Text(**{**declared, **overrides})


class Input:
    """The fields of one service's input, by the names of the service's keyword arguments."""

    def __init__(self, service: str, *, resolve=None, **fields: Field):
        """``resolve(data)``: the service's keyword arguments from the valid fields, looking up what they
        name (a code → its object); it raises ``ValidationError({field: message})`` when nothing is
        found, and the page and the API show that message on that field alike."""
        self.service = service
        self.resolve = resolve
        self.fields = fields

    def __getitem__(self, name: str) -> Field:
        return self.fields[name]

    def __repr__(self) -> str:
        return f"<Input {self.service}>"

    def _on(self, side: str) -> dict[str, Field]:
        return {name: f for name, f in self.fields.items() if f.only in ("", side)}

    def form(self, **options: dict) -> type[forms.Form]:
        """A form class with a field for each declared field the page takes; ``options``: per field, the
        page's own keyword arguments (``widget``, ``label``, ``help_text``, ``field_class``, ``choices``)."""
        fields = {name: f.form_field(**options.get(name, {})) for name, f in self._on(PAGE).items()}
        attributes = {"__module__": __name__, "declaration": self, **fields}
        if self.resolve is not None:
            attributes |= {"clean": _form_clean, "service_kwargs": _form_service_kwargs}
        return type(f"{self._name()}Form", (forms.Form,), attributes)

    def serializer(self, **options: dict) -> type[serializers.Serializer]:
        """A serializer class with a field for each declared field the API takes; ``options`` as
        :meth:`form` (``help_text``)."""
        fields = {name: f.api_field(**options.get(name, {})) for name, f in self._on(API).items()}
        attributes = {"__module__": __name__, "declaration": self, **fields}
        if self.resolve is not None:
            attributes["validate"] = _api_validate
        return type(f"{self._name()}Fields", (serializers.Serializer,), attributes)

    def _name(self) -> str:
        return "".join(part.title() for part in self.service.split("_"))


def _form_clean(form):
    data = forms.Form.clean(form)
    if not form.errors:
        try:
            form.resolved = form.declaration.resolve(data)
        except DjangoValidationError as error:
            form.add_error(None, error)
    return data


def _form_service_kwargs(form) -> dict:
    return form.resolved


def _api_validate(serializer, data):
    try:
        return serializer.declaration.resolve(data)
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.message_dict) from error
