"""estimate_tokens counts with C-level byte passes; it must give exactly the number of the piece-by-piece
definition (kept here as the reference) on hostile Unicode, on generated strings and on every corpus prompt."""

from __future__ import annotations

import random
import re
import sys
import threading

import pytest

from posttui.prompt import _BYTE_CLASS, _char_class, estimate_tokens

PIECES = re.compile(r"[A-Za-z]+|\d+|\s+|[^\sA-Za-z\d]")


def reference(text: str) -> int:
    """The loop estimate_tokens replaced, unchanged."""
    count = 0
    for match in PIECES.finditer(text):
        piece = match.group()
        first = piece[0]
        if first.isalpha() and first.isascii():
            count += (len(piece) + 4) // 5
        elif first.isdigit() and first.isascii():
            count += (len(piece) + 2) // 3
        elif first.isspace():
            count += piece.count("\n")
        else:
            count += 1
    return count


HOSTILE = [
    "", "a", "ab cd", "abcde", "abcdef", "abcdefghij", "abcdefghijk", "1", "12", "123", "1234", "1234567",
    "\n", "\n\n \t\n", "\r\n", "\\cite{a}", "x" * 1000, "9" * 1001,
    # non-ASCII digits (\d but not ASCII): a run they lead counts one; after an ASCII digit they extend the run
    "١٢٣٤٥", "1٢٣٤", "١23456", "a١b", "٣\n٣٣٣٣", "０１２３", "𝟎𝟏𝟐𝟑𝟒𝟓", "12𝟑𝟒56", "x𝟎1", "۱۲۳" * 7,
    # digits that are not decimal (\d does not match them): each counts one
    "²³¹", "1²3", "½", "Ⅻ", "①②",
    # non-ASCII letters count one each; ASCII letters next to them split the run
    "café", "naïve", "Straße", "ﬁne", "Ωmega", "日本語のテキスト", "e\u0301t\u00e9", "İstanbul", "K",
    # Unicode whitespace: free, only "\n" counts (not \r, \x0b, \x0c, \x1c-\x1f, \x85, \u2028, \u2029)
    "a\u00a0b", "a\u2003b\u3000c", "x\x85y", "x\u2028y\u2029z", "\x1c\x1d\x1e\x1f", "\x0b\x0c\r", "\u200b\ufeff",
    # odd code points
    "\x00\x01\x7f", "\ud800x\udfff", "🙂🙂 ok", "\U0010ffff", "a" + "\u0300" * 5, "ÿ\xff\x80\x9f",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_strings_count_as_the_definition(text):
    assert estimate_tokens(text) == reference(text)


def test_the_character_classes_are_the_regex_classes():
    """Every code point gets the class the regex pieces give it (\\s is str.isspace, \\d is str.isdecimal)."""
    everything = "".join(map(chr, range(sys.maxunicode + 1)))
    spaces = set(re.findall(r"\s", everything))
    digits = set(re.findall(r"\d", everything))
    for char in everything:
        kind = _char_class(char)
        expected = ("a" if "A" <= char <= "Z" or "a" <= char <= "z" else "d" if char in digits
                    else " " if char in spaces else "o")
        assert kind == expected, repr(char)
    assert all(chr(_BYTE_CLASS[code]) == _char_class(chr(code)) for code in range(256))


ALPHABET = ("aZq" "0" "9" " \t\n\r" "\x0b\x1f\x85\xa0" "é²½" "١٢" "０" "𝟏" "\u2028\u3000" "{}\\$%" "日"
            "\ud800")


def test_generated_strings_count_as_the_definition():
    rng = random.Random(14)
    for _ in range(3000):
        text = "".join(rng.choice(ALPHABET) * rng.choice((1, 1, 2, 3, 5, 6, 7)) for _ in range(rng.randint(0, 40)))
        assert estimate_tokens(text) == reference(text), repr(text)


def test_threads_keep_their_non_ascii_digit_notes_apart():
    """The encoding handler notes non-ASCII digits per thread: concurrent counts stay exact."""
    texts = ["١٢٣٤٥ 123456 " * 200, "é 123456 " * 200, "日本 ４５６７８ x" * 200, "plain 1234567 " * 200]
    expected = [reference(text) for text in texts]
    wrong: list[str] = []

    def count(i):
        for _ in range(200):
            if estimate_tokens(texts[i]) != expected[i]:
                wrong.append(texts[i][:20])

    threads = [threading.Thread(target=count, args=(i,)) for i in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not wrong


def test_every_corpus_prompt_counts_as_the_definition(corpus_site, seed_prompt):
    files = sorted((corpus_site / "prompts" / "content").glob("*.txt")) + [seed_prompt]
    files += sorted(corpus_site.glob("_posts/*.md"))
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert estimate_tokens(text) == reference(text), path.name
