"""JavaScript formatting helpers, slug vectors from the locked npm packages, settings loading."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gardend.daemon.publish.jsfmt import encode_uri, js_json, js_regex, js_replace, js_replace_first
from gardend.daemon.publish.settings import GardenSettings, load_garden_settings
from gardend.daemon.publish.slug import slugify
from gardend.daemon.publish.transliteration import DEBURR, TABLE

from ..conftest import VaultMaker, corpus

#: Computed with Node from @sindresorhus/slugify 1.1.2 (+ transliterate 0.1.2, lodash.deburr 4.1.0).
NODE_VECTORS = [
    ("Ђорђе Балашевић", "or-e-balashevi"), ("Қазақстан", "aza-stan"), ("Україна їжак", "ukrayina-yizhak"),
    ("Հայաստան", "hayastan"), ("საქართველო", "saqartvelo"), ("Čeština Řeřicha", "cestina-rericha"),
    ("ދިވެހި", "dhivehi"), ("Ελληνικά Ώρα", "ellinika-ora"), ("Latviešu valoda", "latviesu-valoda"),
    ("Lietuvių kalba", "lietuviu-kalba"), ("Ѓорѓи", "or-i"), ("Zażółć gęślą jaźń", "zazolc-gesla-jazn"),
    ("Şırnak Ğ", "sirnak-g"), ("Ştiinţă Română", "stiinta-romana"), ("دانشگاه تهران", "danshgah-thran"),
    ("پښتو", "pxtw"), ("اردو", "ardw"), ("Nguyễn Thị Minh Khai", "nguyen-thi-minh-khai"), ("ǎǐǒǔ", ""),
    ("ĳ ŉ ſ", "ij-n-ss"), ("e\u0301 vs é", "e-vs-e"), ("Ångström", "angstroem"), ("Þór", "t-hor"),
    ("Straße Ärger", "strasse-aerger"), ("I ♥ 🦄 & more", "i-love-unicorn-and-more"),
]


@pytest.mark.parametrize(("text", "slug"), NODE_VECTORS)
def test_slug_matches_node(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_tables_are_the_packages_data() -> None:
    assert len(TABLE) == 696 and TABLE[0] == ("ß", "ss") and TABLE[7] == ("À", "A")
    assert len(DEBURR) == 190 and dict(DEBURR)["ſ"] == "ss"
    assert (Path(__file__).resolve().parents[2] / "daemon" / "publish" / "LICENSE-transliterate.txt").is_file()


def test_js_json() -> None:
    assert js_json({"b": 2020.0, "a": [1.5, 1e21, 1e-7, float("nan")], "2024": None, "10": True, "s": "é\"\\\n\x01/"}) == (
        '{"10":true,"2024":null,"b":2020,"a":[1.5,1e+21,1e-7,null],"s":"é\\"\\\\\\n\\u0001/"}'
    )
    assert json.loads(js_json({"x": "\u2028"})) == {"x": "\u2028"}


def test_js_replace() -> None:
    assert js_replace_first("a $ b", "$", "[$$][$&][$`][$']") == "a [$][$][a ][ b] b"
    assert js_replace_first("ab", "b", "$$", patterns=False) == "a$$"
    assert js_replace("x1 y2", js_regex(r"(?<l>[a-z])(\d)", "g"), "$2$<l>$3", global_=True) == "1x$3 2y$3"
    assert js_replace("AaA", js_regex("a", "i"), "-", global_=False) == "-aA"


def test_encode_uri() -> None:
    assert encode_uri("/img/user/A Assets/ä#?&=+$,;:@!~*'()%.png") == "/img/user/A%20Assets/%C3%A4#?&=+$,;:@!~*'()%25.png"


def test_settings_from_the_test_vault() -> None:
    settings = load_garden_settings(corpus("dg-test-vault"))
    assert settings.created_timestamp_key == "customCreated" and settings.show_created_timestamp
    assert settings.custom_filters[0].pattern == "❄️"
    assert settings.rewrite_rules[0].source == "Path Rewriting/Subfolder2"


def test_settings_default_without_the_plugin(make_vault: VaultMaker) -> None:
    assert load_garden_settings(make_vault({"a.md": "x"})) == GardenSettings()
