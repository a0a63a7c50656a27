"""The English translation of the interface.

The interface's msgids are Simplified Chinese; ``locale/en`` holds the English. These
tests keep the catalogue complete (every msgid translated, none fuzzy, placeholders
kept), the compiled ``.mo`` in step with the ``.po``, every string the code and the
templates ask for present in the catalogue, and check that pages stay Chinese until the
user picks English with the language switcher, while the API follows Accept-Language.
"""

import ast
import gettext
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils.translation.template import templatize

from qualityhub.accounts.models import Organisation
from qualityhub.accounts.services import api_token_create
from qualityhub.core.testing.factories import unique_uscc

ROOT = Path(settings.BASE_DIR)
SOURCES = ROOT / "qualityhub"
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


# --- reading the catalogue -------------------------------------------------------------

def parse_po(text):
    """The entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr (a dict
    index -> text; index 0 for a singular entry), flags. Obsolete (#~) entries are kept
    apart under ``obsolete`` so a test can insist there are none."""
    entries, entry, key = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for line in text.splitlines():
        line = line.strip()
        if not line:
            finish()
            entry, key = None, None
            continue
        if entry is None:
            entry = {"msgctxt": None, "msgid_plural": None, "msgstr": {}, "flags": set(), "obsolete": False}
        if line.startswith("#~"):
            entry["obsolete"] = True
            line = line[2:].strip()
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(key, tuple):
                entry["msgstr"][key[1]] += value
            else:
                entry[key] += value
            continue
        keyword, _space, rest = line.partition(" ")
        value = ast.literal_eval(rest)
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if match:
            key = ("msgstr", int(match.group(1)))
            entry["msgstr"][key[1]] = value
        elif keyword == "msgstr":
            key = ("msgstr", 0)
            entry["msgstr"][0] = value
        elif keyword in ("msgid", "msgid_plural", "msgctxt"):
            key = keyword
            entry[keyword] = value
        else:
            raise AssertionError(f"unexpected line in {PO.name}: {line!r}")
    finish()
    return entries


@pytest.fixture(scope="module")
def catalogue():
    """The translated entries of the English .po, without the header."""
    return [e for e in parse_po(PO.read_text(encoding="utf-8")) if e["msgid"] != ""]


def _label(entry):
    return repr(entry["msgid"])


def test_the_parser_reads_plural_fuzzy_and_multiline_entries():
    sample = (
        '#, fuzzy, python-format\nmsgctxt "动作"\nmsgid ""\n"第一行"\n"第二行"\nmsgstr "Line"\n\n'
        'msgid "%(n)d 行"\nmsgid_plural "%(n)d 行"\nmsgstr[0] "%(n)d row"\nmsgstr[1] ""\n"%(n)d rows"\n\n'
        '#~ msgid "旧"\n#~ msgstr "Old"\n'
    )
    first, second, third = parse_po(sample)
    assert first["msgctxt"] == "动作" and first["msgid"] == "第一行第二行"
    assert first["flags"] == {"fuzzy", "python-format"}
    assert second["msgid_plural"] == "%(n)d 行"
    assert second["msgstr"] == {0: "%(n)d row", 1: "%(n)d rows"}
    assert third["obsolete"] is True


# --- (a) the catalogue is complete -----------------------------------------------------

def test_the_english_catalogue_has_no_untranslated_entries(catalogue):
    assert len(catalogue) > 250  # the catalogue was regenerated, not emptied
    untranslated = [_label(e) for e in catalogue if not all(s.strip() for s in e["msgstr"].values())]
    assert untranslated == []
    plurals_missing_forms = [_label(e) for e in catalogue if e["msgid_plural"] and len(e["msgstr"]) < 2]
    assert plurals_missing_forms == []


def test_the_english_catalogue_has_no_fuzzy_or_obsolete_entries(catalogue):
    assert [_label(e) for e in catalogue if "fuzzy" in e["flags"]] == []
    assert [_label(e) for e in catalogue if e["obsolete"]] == []


def test_the_catalogue_header_declares_english_and_utf8():
    header = next(e for e in parse_po(PO.read_text(encoding="utf-8")) if e["msgid"] == "")
    assert "fuzzy" not in header["flags"]  # a fuzzy header makes gettext tools ignore the charset
    assert "Language: en\n" in header["msgstr"][0]
    assert "charset=UTF-8" in header["msgstr"][0]


def test_english_text_has_no_chinese_characters_except_in_quoted_examples(catalogue):
    """The English may quote what users type in Chinese (“是”/“否”, 、, sample
    honour names), but otherwise must not fall back to Chinese."""
    allowed = {"请填写“是”或“否”。", "是/否，留空为是", "多个用顿号分隔，如 专精特新中小企业、高新技术企业"}
    chinese = [_label(e) for e in catalogue
               if e["msgid"] not in allowed and any(CJK.search(s) for s in e["msgstr"].values())]
    assert chinese == []


PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{(\w*)\}")


def _placeholders(text):
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text))


def test_translations_keep_every_placeholder_of_the_msgid(catalogue):
    changed = []
    for entry in catalogue:
        for index, text in entry["msgstr"].items():
            source = entry["msgid_plural"] if index > 0 and entry["msgid_plural"] else entry["msgid"]
            if _placeholders(text) != _placeholders(source):
                changed.append((_label(entry), _placeholders(source), _placeholders(text)))
    assert changed == []


# --- (b) the compiled catalogue is in step with the .po --------------------------------

def test_the_compiled_mo_holds_exactly_the_po_translations(catalogue):
    assert MO.exists(), "run: manage.py compilemessages -l en"
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    expected = {}
    for entry in catalogue:
        msgid = entry["msgid"] if entry["msgctxt"] is None else f"{entry['msgctxt']}\x04{entry['msgid']}"
        if entry["msgid_plural"]:
            expected.update({(msgid, index): text for index, text in entry["msgstr"].items()})
        else:
            expected[msgid] = entry["msgstr"][0]
    compiled = {key: value for key, value in compiled.items() if key != ""}
    stale = {key: (compiled.get(key), value) for key, value in expected.items() if compiled.get(key) != value}
    assert stale == {}, "the .mo is out of date: run manage.py compilemessages -l en"
    assert set(compiled) - set(expected) == set()


# --- (c) every string the code asks for is in the catalogue ----------------------------

GETTEXT_FUNCTIONS = {"gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy",
                     "pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}


def _python_msgids(path):
    """Literal msgids passed to django.utils.translation functions, under any alias
    (``gettext_lazy as _l`` included, which makemessages alone would miss)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            aliases.update({a.asname or a.name: a.name for a in node.names if a.name in GETTEXT_FUNCTIONS})
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in aliases):
            continue
        first = 1 if aliases[node.func.id].startswith(("pgettext", "npgettext")) else 0
        args = node.args[first:first + 1]
        if args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
            yield args[0].value, f"{path.relative_to(ROOT)}:{node.lineno}"


QUOTED = r"""(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
TEMPLATE_CALL = re.compile(rf"\b(n?p?gettext|_)\(((?:u?{QUOTED}\s*,?\s*)+)")


def _template_msgids(path):
    """The msgids makemessages would extract from a template: templatize (the step
    makemessages uses) turns {% trans %}/{% blocktrans %} into gettext('...') calls
    and keeps filter arguments such as default:_("...") as they are."""
    for match in TEMPLATE_CALL.finditer(templatize(path.read_text(encoding="utf-8"), origin=str(path))):
        strings = [ast.literal_eval(q) for q in re.findall(QUOTED, match.group(2))]
        msgid = strings[1] if match.group(1).startswith(("pgettext", "npgettext")) else strings[0]
        yield msgid, str(path.relative_to(ROOT))


def _source_msgids():
    found = []
    for path in sorted(SOURCES.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        found.extend(_python_msgids(path))
    for path in sorted(SOURCES.rglob("templates/**/*.html")):
        found.extend(_template_msgids(path))
    return found


def test_the_source_scan_finds_python_and_template_strings():
    """Guards the scan below against silently finding nothing."""
    found = {msgid for msgid, _where in _source_msgids()}
    assert {"登录", "令牌格式错误。", "导入%(title)s", "所在区县", "未加入机构"} <= found


def test_every_msgid_in_python_and_templates_is_in_the_catalogue(catalogue):
    known = {e["msgid"] for e in catalogue}
    missing = sorted({(msgid, where) for msgid, where in _source_msgids() if msgid not in known})
    assert missing == [], "run makemessages -l en and translate the new entries"


# --- (d) pages: Chinese by default, English on request --------------------------------

class _UiText(HTMLParser):
    """Collects the text of interface chrome (headings, labels, table headers, buttons,
    links in the navigation) — the places where data such as names does not appear."""

    CHROME = {"title", "h2", "h3", "label", "th", "button"}

    def __init__(self):
        super().__init__()
        self.stack, self.texts = [], []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag in ("input", "meta", "link", "br", "img", "hr"):
            return
        chrome = tag in self.CHROME or (tag == "a" and {"nav-link", "dropdown-item", "btn"} & set(classes))
        self.stack.append((tag, chrome))

    def handle_endtag(self, tag):
        while self.stack:
            open_tag, _chrome = self.stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        if data.strip() and any(chrome for _tag, chrome in self.stack):
            self.texts.append(data.strip())


def ui_text(response, *, data=()):
    """The interface's own words on the page, leaving out the given data values (a
    user's or organisation's name shown in the user menu)."""
    parser = _UiText()
    parser.feed(response.content.decode())
    texts = []
    for text in parser.texts:
        for value in data:
            text = text.replace(str(value), "")
        if text.strip(" ·"):
            texts.append(text.strip(" ·"))
    return texts


def names_of(person):
    return [person.user.name, *Organisation.objects.values_list("name", flat=True)]


def header_html(response):
    html = response.content.decode()
    return html[html.index("<header"):html.index("</header>")]


def choose_language(client, code, next_url="/"):
    response = client.post(reverse("set_language"), {"language": code, "next": next_url})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == code
    return response


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_the_login_page_is_chinese_by_default(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()
    assert "登录" in ui_text(response)
    assert "Log in" not in response.content.decode()
    assert response.headers["Content-Language"] == "zh-hans"


@pytest.mark.django_db
def test_a_browser_asking_for_english_still_gets_chinese_pages(client):
    """Intranet browsers default to English; only the switcher changes the UI."""
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "登录" in ui_text(response)
    assert "Log in" not in ui_text(response)


@pytest.mark.django_db
def test_choosing_english_translates_the_login_page(client):
    choose_language(client, "en", next_url=reverse("accounts:login"))
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert response.headers["Content-Language"] == "en"
    texts = ui_text(response)
    assert "Log in" in texts and "Log in to QualityHub" in texts
    assert "Mobile number or email" in texts  # the form's label, a lazy translation
    assert [t for t in texts if CJK.search(t)] == []


@pytest.mark.django_db
def test_wrong_credentials_are_explained_in_the_chosen_language(client):
    choose_language(client, "en")
    response = client.post(reverse("accounts:login"), {"username": "nobody@example.com", "password": "wrong"})
    assert "Incorrect mobile number/email or password." in response.content.decode()
    assert "手机号/邮箱或密码不正确" not in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_language_in_the_cookie_falls_back_to_chinese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get(reverse("accounts:login"))
    assert response.headers["Content-Language"] == "zh-hans"
    assert "登录" in ui_text(response)


def _strip_data(html, *values):
    for value in values:
        html = html.replace(str(value), "")
    return html


@pytest.mark.django_db
def test_a_regulator_who_chose_english_sees_an_english_dashboard_and_navigation(actors):
    regulator = actors.regulator_same_city
    client = regulator.client()
    chinese = client.get(reverse("core:dashboard"))
    assert "工作台" in ui_text(chinese) and "辖区企业" in chinese.content.decode()

    choose_language(client, "en")
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 200
    texts = ui_text(response, data=names_of(regulator))
    assert [t for t in texts if CJK.search(t)] == []
    for label in ("Dashboard", "Enterprises", "Products", "Import", "Members", "Log out"):
        assert label in texts, label
    html = response.content.decode()
    assert "Enterprises in jurisdiction" in html and "Products in jurisdiction" in html
    assert "Market regulator" in html  # the organisation kind next to its name
    # Data (the user's and organisations' names) and the language's own name in the
    # switcher may be Chinese; the navigation's labels may not.
    header = _strip_data(header_html(response), regulator.user.name, regulator.organisation.name, "简体中文",
                         *Organisation.objects.values_list("name", flat=True))
    assert CJK.findall(header) == []


@pytest.mark.django_db
def test_the_enterprise_list_shows_english_labels_to_a_regulator_who_chose_english(actors):
    client = actors.regulator_same_city.client()
    choose_language(client, "en")
    response = client.get(reverse("registry:enterprise-list"))
    assert response.status_code == 200
    texts = ui_text(response, data=names_of(actors.regulator_same_city))
    for label in ("Enterprises", "Enterprise name", "Unified social credit code", "City", "District",
                  "Name or credit code", "Search", "Export to Excel", "Bulk import", "Add"):
        assert label in texts, label
    assert [t for t in texts if CJK.search(t)] == []
    assert actors.enterprise_a.name in response.content.decode()  # the data itself stays as entered


@pytest.mark.django_db
def test_switching_back_to_chinese_restores_chinese_pages(actors):
    client = actors.regulator_same_city.client()
    choose_language(client, "en")
    assert "Dashboard" in ui_text(client.get(reverse("core:dashboard")))
    choose_language(client, "zh-hans")
    texts = ui_text(client.get(reverse("core:dashboard")))
    assert "工作台" in texts and "Dashboard" not in texts


@pytest.mark.django_db
def test_form_errors_follow_the_chosen_language(actors):
    client = actors.regulator_same_city.client()
    choose_language(client, "en")
    before = Organisation.objects.count()
    response = client.post(reverse("registry:enterprise-create"), {"uscc": "123", "name": "测试企业", "region": "440305"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "A unified social credit code has 18 characters; this one has 3." in html
    assert "统一社会信用代码应为18位" not in html
    assert Organisation.objects.count() == before


# --- (e) the API honours Accept-Language -----------------------------------------------

@pytest.fixture
def regulator_api(actors):
    _token, secret = api_token_create(actor=actors.regulator_same_city.actor, name="i18n")
    return {"HTTP_AUTHORIZATION": f"Token {secret}"}


@pytest.mark.django_db
def test_api_errors_are_chinese_without_accept_language(client, regulator_api):
    response = client.get("/api/v1/enterprises/999999999/", **regulator_api)
    assert response.status_code == 404
    assert response.json()["error"] == {"code": "not_found", "message": "未找到。", "fields": {}}


@pytest.mark.django_db
def test_api_not_found_is_english_when_the_client_asks_for_english(client, regulator_api):
    response = client.get("/api/v1/enterprises/999999999/", HTTP_ACCEPT_LANGUAGE="en", **regulator_api)
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Not found."
    assert response.headers["Content-Language"] == "en"
    assert "Accept-Language" in response.headers["Vary"]


@pytest.mark.django_db
def test_api_rejects_a_bad_token_in_the_requested_language(client):
    headers = {"HTTP_AUTHORIZATION": "Token qh_deadbeef_not-a-real-secret"}
    english = client.get("/api/v1/enterprises/", HTTP_ACCEPT_LANGUAGE="en", **headers)
    chinese = client.get("/api/v1/enterprises/", HTTP_ACCEPT_LANGUAGE="zh-hans", **headers)
    assert english.status_code == chinese.status_code == 401
    assert english.json()["error"]["message"] == "The token is invalid, expired or revoked."
    assert chinese.json()["error"]["message"] == "令牌无效、已过期或已吊销。"


@pytest.mark.django_db
def test_api_validation_errors_are_english_when_asked_and_nothing_is_saved(client, regulator_api):
    before = Organisation.objects.count()
    response = client.post(
        "/api/v1/enterprises/", {"uscc": "123", "name": "测试企业", "region": "440305"},
        content_type="application/json", HTTP_ACCEPT_LANGUAGE="en", **regulator_api,
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["message"] == "The submitted data is invalid; please check each field."
    assert error["fields"]["uscc"] == ["A unified social credit code has 18 characters; this one has 3."]
    assert Organisation.objects.count() == before


@pytest.mark.django_db
def test_api_refuses_an_enterprise_registering_enterprises_in_english_when_asked(client, actors):
    _token, secret = api_token_create(actor=actors.owner.actor, name="i18n")
    before = Organisation.objects.count()
    response = client.post(
        "/api/v1/enterprises/", {"uscc": unique_uscc(), "name": "测试企业", "region": "440305"},
        content_type="application/json", HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Token {secret}",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["non_field_errors"] == ["Only market regulators can register new enterprises."]
    assert fields["region"][0].endswith("is outside your department's jurisdiction.")
    assert Organisation.objects.count() == before


@pytest.mark.django_db
def test_the_language_cookie_also_sets_the_api_language(client, regulator_api):
    """A browser session that chose English gets English from the API it calls."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/api/v1/enterprises/999999999/", HTTP_ACCEPT_LANGUAGE="zh-hans", **regulator_api)
    assert response.json()["error"]["message"] == "Not found."


@pytest.mark.django_db
def test_django_rest_framework_messages_follow_accept_language_too(client):
    english = client.get("/api/v1/enterprises/", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/api/v1/enterprises/")
    assert english.status_code == chinese.status_code == 401
    assert english.json()["error"]["message"] == "Authentication credentials were not provided."
    assert CJK.search(chinese.json()["error"]["message"])
