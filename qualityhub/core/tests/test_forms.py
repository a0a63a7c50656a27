"""Shared form pieces: fast selects render exactly what Django's templates render."""

from html.parser import HTMLParser

import pytest
from django import forms

from qualityhub.core.forms import BootstrapFormMixin, FastSelect, FastSelectMultiple

CHOICES = [("", "---------"), ("a", "甲 <b>&"), ("组", [("1", "一"), ("2", "二")])]


class _Parsed(HTMLParser):
    """Tags with their attributes as sets, and text: attribute order and whitespace
    between tags are not part of what a browser sees."""

    def __init__(self, html):
        super().__init__()
        self.items = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.items.append((tag, frozenset(attrs)))

    def handle_endtag(self, tag):
        self.items.append(("/" + tag,))

    def handle_data(self, data):
        if data.strip():
            self.items.append(("text", data.strip()))


def _same(html):
    return _Parsed(html).items


@pytest.mark.parametrize(
    "django_widget, fast_widget, value",
    [(forms.Select, FastSelect, "a"), (forms.Select, FastSelect, None), (forms.SelectMultiple, FastSelectMultiple, ["1", "a"])],
)
def test_a_fast_select_renders_the_same_html_as_djangos(django_widget, fast_widget, value):
    attrs = {"class": "form-select", "id": "id_f", "data-x": '"q"'}
    expected = django_widget(attrs=attrs, choices=CHOICES).render("f", value)
    assert _same(fast_widget(attrs=attrs, choices=CHOICES).render("f", value)) == _same(expected)
    assert "&lt;b&gt;&amp;" in expected  # labels stay escaped


def test_forms_of_the_platform_get_fast_selects_with_their_choices_and_classes():
    class Form(BootstrapFormMixin, forms.Form):
        kind = forms.ChoiceField(choices=[("x", "X"), ("y", "Y")])
        tags = forms.MultipleChoiceField(choices=[("x", "X")], required=False)

    form = Form(data={"kind": "y"})
    assert type(form.fields["kind"].widget) is FastSelect
    assert type(form.fields["tags"].widget) is FastSelectMultiple
    html = str(form["kind"])
    assert 'class="form-select"' in html and '<option value="y" selected>Y</option>' in html
    assert form.is_valid()
