"""The lexer: tokens, comments kept for docs, identifier rules, forbidden input."""

from __future__ import annotations

import pytest

from witkit.wit.ast import Version, VersionError
from witkit.wit.lexer import EOF, EXPLICIT_ID, ID, INTEGER, STRING, LexError, tokenize, validate_id


def kinds(text: str) -> list[str]:
    return tokenize(text).kinds[:-1]


@pytest.mark.parametrize(
    "name",
    ["x", "http-client", "ENOENT", "is-HTTP-ok", "v2", "a0-1b-c", "SOCKET-ERROR-42", "bool"],
)
def test_valid_identifiers(name: str) -> None:
    assert validate_id(name) is None


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "identifiers must have characters between '-'s"),
        ("9lives", "invalid character in identifier '9'"),
        ("-lead", "identifiers must have characters between '-'s"),
        ("trail-", "identifiers must have characters between '-'s"),
        ("double--dash", "identifiers must have characters between '-'s"),
        ("camelCase", "invalid character in identifier 'C'"),
        ("Title", "invalid character in identifier 'i'"),
        ("snake_case", "invalid character in identifier '_'"),
        ("dot.ted", "invalid character in identifier '.'"),
        ("caf\u00e9", "invalid character in identifier '\u00e9'"),
        ("xml-Http", "invalid character in identifier 't'"),
    ],
)
def test_invalid_identifiers(name: str, problem: str) -> None:
    assert validate_id(name) == problem


def test_keywords_operators_and_ids() -> None:
    text = 'interface %interface foo-bar: func(x: u32) -> result<_, string>; @ 12 "s"'
    assert kinds(text) == [
        "interface", EXPLICIT_ID, ID, ":", "func", "(", ID, ":", "u32", ")", "->",
        "result", "<", "_", ",", "string", ">", ";", "@", INTEGER, STRING,
    ]  # fmt: skip


def test_minus_is_never_the_start_of_an_identifier() -> None:
    assert kinds("1.0.0-rc-1") == [INTEGER, ".", INTEGER, ".", INTEGER, "-", ID]
    assert tokenize("a-b").kinds[:-1] == [ID]


def test_comments_are_kept_before_the_next_token() -> None:
    toks = tokenize("// one\n/* two /* nested */ still */\n/// three\nx /* trailing */")
    assert toks.kinds == [ID, EOF]
    docs = [toks.slice(s, e) for s, e in toks.docs[0]]
    assert docs == ["// one\n", "/* two /* nested */ still */", "/// three\n"]
    assert [toks.slice(s, e) for s, e in toks.docs[1]] == ["/* trailing */"]


def test_crlf_is_whitespace_but_a_lone_cr_is_not() -> None:
    assert kinds("a\r\nb") == [ID, ID]
    with pytest.raises(LexError, match="unexpected character"):
        tokenize("a\rb")


def test_offsets_are_global() -> None:
    toks = tokenize("  abc", base=100)
    assert (toks.starts[0], toks.ends[0]) == (102, 105)
    assert toks.slice(102, 105) == "abc"


def test_byte_order_mark_is_skipped() -> None:
    assert kinds("\ufeffpackage") == ["package"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a\x07b", "control code \\u{7} is not allowed in WIT"),
        ("a \u202e b", "input contains bidirectional override codepoint \\u{202e}"),
        ("\u0149", "codepoint \\u{149} is discouraged by Unicode"),
        ("/* open /* nested */", "unterminated block comment"),
        ("#", "unexpected character '#'"),
        ('"unterminated', "unexpected end of file in a string literal"),
        ('"bad \\q"', "invalid string escape 'q'"),
    ],
)
def test_lexical_errors(text: str, message: str) -> None:
    with pytest.raises(LexError) as info:
        tokenize(text)
    assert info.value.message == message


def test_versions_parse_strictly_and_order_by_semver() -> None:
    versions = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0",
    ]
    parsed = [Version.parse(v) for v in versions]
    assert [str(v) for v in parsed] == versions
    assert sorted(reversed(parsed)) == parsed
    assert Version.parse("0.2.10") > Version.parse("0.2.9")
    for bad in ["1.0", "01.0.0", "1.0.0-", "1.0.0-01", "1.0.0+", "1.0.0-a..b", "1.0.0_x"]:
        with pytest.raises(VersionError):
            Version.parse(bad)
