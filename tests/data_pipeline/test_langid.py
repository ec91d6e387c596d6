import csv
import json
from pathlib import Path

import pytest

from songsage.config.schema import LangIdConfig
from songsage.data.langid import detect_language, script_counts

DATA = Path(__file__).resolve().parents[1] / "data"
CFG = LangIdConfig()


def test_script_counts():
    c = script_counts("あア漢한a")
    assert c["kana"] == 2 and c["han"] == 1 and c["hangul"] == 1 and c["latin"] == 0.25


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("春風駘蕩\n花開く夜に\n君を想う", "ja"),  # kanji-heavy Japanese: kana decides
        ("春眠不覺曉\n處處聞啼鳥\n夜來風雨聲", "zh"),  # traditional Chinese
        ("사랑해 baby tonight\nI love you so much\n너만 보여", "ko"),  # Korean with English
        ("Der Himmel ist blau und die Sonne scheint hell über dem Meer", "other"),
        ("1234 !!!", "other"),
    ],
)
def test_per_song_decisions(text, lang):
    assert detect_language(text, "", CFG)[0] == lang


def test_hint_only_breaks_ties():
    assert detect_language("我爱你中国\n月亮代表我的心", "en", CFG)[0] == "zh"  # a wrong hint is ignored


def test_labelled_lines_accuracy():
    with open(DATA / "langid_lines.tsv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert {r["lang"] for r in rows} == {"en", "zh", "ja", "ko"}
    correct = sum(detect_language(r["text"], "", CFG)[0] == r["lang"] for r in rows)
    per_lang = {}
    for r in rows:
        ok = detect_language(r["text"], "", CFG)[0] == r["lang"]
        per_lang.setdefault(r["lang"], []).append(ok)
    accuracy = correct / len(rows)
    assert accuracy >= 0.9, {k: sum(v) / len(v) for k, v in per_lang.items()}
    for lang, oks in per_lang.items():
        assert sum(oks) / len(oks) >= 0.8, lang


def test_labelled_songs_accuracy():
    rows = [
        json.loads(x)
        for x in (DATA / "langid_songs.jsonl").read_text(encoding="utf-8").splitlines()
        if x.strip()
    ]
    correct = sum(detect_language(r["text"], "", CFG)[0] == r["lang"] for r in rows)
    assert correct / len(rows) >= 0.95


HAN_BLOCKS = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F))


def test_script_counts_equal_a_per_character_loop():
    from tests.data_pipeline.test_normalize_quality import ADVERSARIAL, _shipped_lyrics

    def loop(text: str) -> dict[str, float]:
        counts = dict.fromkeys(("kana", "hangul", "han", "latin", "other"), 0.0)
        for ch in text:
            cp = ord(ch)
            if 0x3040 <= cp <= 0x30FF or 0x31F0 <= cp <= 0x31FF or 0xFF66 <= cp <= 0xFF9D:
                counts["kana"] += 1
            elif 0xAC00 <= cp <= 0xD7A3 or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F:
                counts["hangul"] += 1
            elif any(lo <= cp <= hi for lo, hi in HAN_BLOCKS):
                counts["han"] += 1
            elif ch.isalpha():
                if cp < 0x250 or 0x1E00 <= cp <= 0x1EFF:
                    counts["latin"] += 0.25
                else:
                    counts["other"] += 1
        return counts

    for text in _shipped_lyrics()[:3000] + ADVERSARIAL + ["Ελληνικά Русский ñandú ệ 𠀀 𫝀"]:
        assert script_counts(text) == loop(text), text[:60]


def test_compiled_identifier_equals_py3langid_bit_for_bit():
    import py3langid.langid as lid

    from songsage.data.langid import classify
    from tests.data_pipeline.test_normalize_quality import ADVERSARIAL, _shipped_lyrics

    stock = lid.LanguageIdentifier.from_modelpath(lid.MODEL_DIR / lid.MODEL_FILE, norm_probs=True)
    restricted = lid.LanguageIdentifier.from_modelpath(lid.MODEL_DIR / lid.MODEL_FILE, norm_probs=True)
    restricted.set_languages(["en", "zh", "ja", "ko"])
    for text in _shipped_lyrics()[::7] + ADVERSARIAL + ["", "!!!", "HELLO THERE"]:
        assert classify(text) == tuple(stock.classify(text))
        assert classify(text, ("en", "zh", "ja", "ko")) == tuple(restricted.classify(text))
