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
