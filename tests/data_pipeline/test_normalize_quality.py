import pytest

from songsage.config.schema import NormalizeConfig, QualityConfig
from songsage.data.normalize import is_credit_line, normalize_lyrics, strip_lrc
from songsage.data.quality import quality_reason

N = NormalizeConfig()
Q = QualityConfig()


def test_lrc_timestamps_and_metadata_removed():
    text = "[ti:Song]\n[ar:Someone]\n[offset:+200]\n[00:12.34]first line\n[01:02.345][02:10.00]chorus line\n[3:05]end"
    assert strip_lrc(text).split("\n") == ["first line", "chorus line", "end"]


@pytest.mark.parametrize(
    "line",
    [
        "作词：张三",
        "作曲 : 李四",
        "编曲：王五",
        "制作人：赵六",
        "Lyrics by Jane Doe",
        "Composed by: John",
        "Written by Bob",
        "Producer: Max",
        "작사 : 김철수",
        "작곡 : 박영희",
        "作詞：山田",
        "作曲：田中",
    ],
)
def test_credit_lines_detected(line):
    assert is_credit_line(line)


@pytest.mark.parametrize(
    "line", ["I wrote you a letter by the sea", "词不达意的夜晚", "Music is my life tonight and forever"]
)
def test_lyric_lines_are_not_credits(line):
    assert not is_credit_line(line)


def test_full_normalization():
    raw = (
        "[00:01.00]作词：张三\r\n[00:02.00]Lyrics by Bob\n[00:12.34]我爱你<br>中国&amp;世界\x07\n\n\n"
        "［００：１２．３４］ＨＥＬＬＯ  world\n<p>last   line</p>"
    )
    assert normalize_lyrics(raw, N) == "我爱你\n中国&世界\n\nHELLO world\n\nlast line"


def test_mojibake_repaired():
    text = "我爱你中国\n月亮代表我的心\n夜空中最亮的星"
    broken = text.encode("utf-8").decode("latin-1")
    assert normalize_lyrics(broken, N) == text


def test_switches_turn_steps_off():
    cfg = NormalizeConfig(strip_lrc=False, strip_credits=False)
    assert normalize_lyrics("[00:01.00]hi\n作词：张三", cfg) == "[00:01.00]hi\n作词:张三"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   \n  ", "empty"),
        ("纯音乐，请欣赏", "instrumental"),
        ("此歌曲为没有填词的纯音乐，请您欣赏", "instrumental"),
        ("Instrumental", "instrumental"),
        ("(instrumental)", "instrumental"),
        ("just one line of words here", "too_few_lines"),
        ("la\nla", "too_short"),
        ("1234 5678 !!!\n@@@@ ####\n$$$$ %%%% 🎵🎵🎵", "non_letter"),
        ("\n".join(["oh baby baby oh"] * 30 + ["and then the end"]), "repeated_lines"),
        ("walking down the empty road\nthinking of the words you said\nnothing left to hold", None),
    ],
)
def test_quality_filters(text, reason):
    assert quality_reason(normalize_lyrics(text, N), Q) == reason


def _shipped_lyrics() -> list[str]:
    import json

    from tests.conftest import PUBLIC_DOMAIN, SAMPLE

    texts = []
    for path in (SAMPLE / "songs.jsonl", PUBLIC_DOMAIN / "songs.jsonl"):
        for line in path.read_bytes().splitlines():
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict) and isinstance(obj.get("lyrics"), str):
                texts.append(obj["lyrics"].replace("\r\n", "\n").replace("\r", "\n"))
    return texts


ADVERSARIAL = [
    "caf\u00c3\u00a9 au lait\nplain line\n",  # mojibake
    "\x1b[31mred\x1b[0m\nplain\n",  # terminal escapes in ASCII
    "ＬＯＵＤ　ＮＯＩＳＥＳ\n你好，世界\n",  # fullwidth forms (ftfy's width fix)
    "“quoted” and ‘single’\nx",  # curly quotes
    "a\u2028b\nﬁne ﬁne\n",  # line separator, ligature
    "ガ\u3099ギ\nハ\u309aン\n",  # combining kana marks (NFC)
    "한\u1100\u1161 jamo\n",
    "",
    "\n\n",
    "tab\tend\nno newline",
    "chorus\n合唱\nchorus\n合唱\n",  # repeated lines are fixed once
]


def test_fix_mojibake_equals_ftfy_exactly():
    import ftfy

    from songsage.data.normalize import fix_mojibake

    texts = _shipped_lyrics() + ADVERSARIAL
    assert len(texts) > 5000
    for text in texts:
        assert fix_mojibake(text) == ftfy.fix_text(text, unescape_html=False, normalization="NFC"), text[:80]


def test_letter_ratio_equals_the_unicode_category_definition():
    import unicodedata

    from songsage.data.quality import letter_ratio

    def by_category(text: str) -> float:
        chars = [c for c in text if not c.isspace()]
        return sum(unicodedata.category(c).startswith("L") for c in chars) / len(chars) if chars else 0.0

    for text in _shipped_lyrics()[:2000] + ADVERSARIAL + ["12² Ⅻ ١٢٣ abc", " \u3000\t"]:
        assert letter_ratio(text) == by_category(text)
