"""ISO 3166-1 countries with their Chinese names (pycountry's own translations), so an
export market may be written "US", "USA", "美国" or "United States"."""

import functools
import gettext

import pycountry


@functools.cache
def _lookup():
    try:
        zh = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
        translate = zh.gettext
    except OSError:  # translations missing: English names still work
        def translate(name):
            return name

    mapping, names = {}, {}
    for country in pycountry.countries:
        chinese = translate(country.name)
        names[country.alpha_2] = chinese
        for key in (country.alpha_2, country.alpha_3, country.name, chinese, getattr(country, "common_name", None)):
            if key:
                mapping[key.upper()] = country.alpha_2
    # Common short names that differ from the ISO forms.
    for short, code in {"美国": "US", "英国": "GB", "俄罗斯": "RU", "韩国": "KR", "越南": "VN", "欧盟": "EU", "UK": "GB"}.items():
        mapping[short.upper()] = code
    names.setdefault("EU", "欧盟")
    return mapping, names


def country_code(value):
    return _lookup()[0].get(str(value).strip().upper())


def country_name(code):
    return _lookup()[1].get(code, code)


def country_choices():
    names = _lookup()[1]
    return sorted(names.items(), key=lambda item: item[0])
