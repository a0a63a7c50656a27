"""Form fields that accept what people type into spreadsheets as well as what the
HTML widgets post, so one form validates both single entries and imported rows."""

import re

from django import forms
from django.conf import settings
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils import translation
from django.utils.translation import gettext_lazy as _

# Not "/": it belongs inside standard codes (GB/T 19001-2016, Q/ABC 002-2023).
LIST_SEPARATORS = re.compile(r"[、,，;；\n|]+")

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d", "%Y-%m-%dT%H:%M:%S"]


def split_list(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        items = []
        for item in value:
            items.extend(split_list(item))
        return items
    return [item.strip() for item in LIST_SEPARATORS.split(str(value)) if item.strip()]


def label_map(choices):
    """Label (in every UI language) and lower-case value -> value.

    A spreadsheet written in Chinese must be accepted the same whether the person
    uploading it (or the API client) has the English or the Chinese UI active.
    """
    mapping = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for value, label in choices:
                if value not in ("", None):
                    mapping.setdefault(str(label).strip(), str(value))
    for value, _label in choices:
        if value not in ("", None):
            mapping[str(value).lower()] = str(value)
    return mapping


class LookupChoiceField(forms.ChoiceField):
    """A choice that may be given by its code or by its label ("小型" or "small")."""

    def __init__(self, *args, aliases=None, **kwargs):
        self.aliases = aliases or {}
        super().__init__(*args, **kwargs)

    def _alias_map(self):
        mapping = label_map(self.choices)
        mapping.update(self.aliases)
        return mapping

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return ""
        mapping = self._alias_map()
        return mapping.get(value.strip(), mapping.get(value.strip().lower(), value.strip()))


class LookupMultipleChoiceField(forms.MultipleChoiceField):
    """Several choices, as a list or as one text cell separated by 、 , ; or newlines."""

    def _alias_map(self):
        return label_map(self.choices)

    def to_python(self, value):
        mapping = self._alias_map()
        return [mapping.get(item, mapping.get(item.lower(), item)) for item in split_list(value)]


class ListField(forms.CharField):
    """Free-text items separated by 、 , ; or newlines; ``item_validator`` normalises
    and validates each one."""

    def __init__(self, *args, item_validator=None, **kwargs):
        self.item_validator = item_validator
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return "；".join(str(v) for v in value)
        return value

    def to_python(self, value):
        return split_list(value)

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def run_validators(self, value):
        if not value or self.item_validator is None:
            return
        cleaned, errors = [], []
        for item in value:
            try:
                cleaned.append(self.item_validator(item))
            except forms.ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise forms.ValidationError(errors)

    def clean(self, value):
        items = self.to_python(value)
        self.validate(items)
        self.run_validators(items)
        if self.item_validator is None:
            return items
        seen, result = set(), []
        for item in items:
            normalised = self.item_validator(item)
            if normalised not in seen:
                seen.add(normalised)
                result.append(normalised)
        return result


class FlexibleDateField(forms.DateField):
    input_formats = DATE_INPUT_FORMATS
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {"invalid": _("日期格式不正确，应如 2023-05-01。")}


class FastSelectMixin:
    """Renders a select's options in Python instead of one template per option.

    The list pages' filter has 117 industries, 21 cities and the honours: rendered
    option by option through the form templates, that was a third of the page's time
    (bench/registry_bench.py). The HTML is the same as Django's.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group_name, options, _index in widget["optgroups"]:
            html = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (("" if o["value"] is None else str(o["value"]), flatatt(o["attrs"]), o["label"]) for o in options),
            )
            parts.append(format_html('<optgroup label="{}">{}</optgroup>', group_name, html) if group_name else html)
        return format_html(
            '<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), mark_safe("".join(parts))
        )


class FastSelect(FastSelectMixin, forms.Select):
    pass


class FastSelectMultiple(FastSelectMixin, forms.SelectMultiple):
    pass


FAST_WIDGETS = {forms.Select: FastSelect, forms.SelectMultiple: FastSelectMultiple}


class BootstrapFormMixin:
    """Tabler/Bootstrap classes on every widget (and selects that render fast)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            fast = FAST_WIDGETS.get(type(field.widget))
            if fast is not None:
                old = field.widget
                field.widget = fast(attrs=old.attrs, choices=old.choices)
                field.widget.is_required = old.is_required
            widget = field.widget
            css = "form-check-input" if isinstance(widget, forms.CheckboxInput) else (
                "form-select" if isinstance(widget, (forms.Select, forms.SelectMultiple)) else "form-control"
            )
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


class YesNoInput(forms.CheckboxInput):
    """A checkbox that hands the submitted text to ``YesNoField`` unchanged.

    Django's CheckboxInput turns any non-empty text into True, so "否" from a
    spreadsheet or ``false`` from the API (sent as "否") would mark a product public.
    An unticked checkbox posts nothing, which still means False.
    """

    def value_from_datadict(self, data, files, name):
        if name not in data:
            return False
        return data.get(name)


class YesNoField(forms.BooleanField):
    """A checkbox on a page; 是/否, yes/no, true/false, 1/0 in a spreadsheet."""

    widget = YesNoInput

    TRUE = {"是", "y", "yes", "true", "1", "on", "公开", "√"}
    FALSE = {"否", "n", "no", "false", "0", "off", "不公开", "×", ""}

    def to_python(self, value):
        if isinstance(value, str):
            text = value.strip().lower()
            if text in self.TRUE:
                return True
            if text in self.FALSE:
                return False
            raise forms.ValidationError(_("请填写“是”或“否”。"), code="invalid_bool")
        return bool(value)


class FilterForm(BootstrapFormMixin, forms.Form):
    """Base form of every FilterSet, so list filters look like the rest of the UI."""
