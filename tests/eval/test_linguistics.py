"""spaCy POS/dependency frequencies per sentence, unsupported languages reported, charts written."""

from __future__ import annotations

from pathlib import Path

import pytest

from songsage.eval.linguistics import Analyzer, linguistic_report


@pytest.mark.slow
def test_linguistic_report_two_models(tmp_path):
    texts = {
        "a": [
            "The night is long\nI walk alone",
            "夏の夜に君を想う",
            "月亮代表我的心。你问我爱你有多深",
            "사랑해요",
        ],
        "b": ["Dance with me tonight", "星が輝いている", "春风又绿江南岸", "안녕"],
    }
    langs = ["en", "ja", "zh", "ko"]
    res = linguistic_report(texts, langs, str(tmp_path), top=5, analyzer=Analyzer())
    df = res["table"]
    en_pos = df[(df.language == "en") & (df.kind == "pos")].set_index("label")
    # model a: 2 sentences, "The night is long / I walk alone": PRON "I" once -> 0.5 per sentence
    assert en_pos.loc["PRON", "a"] == pytest.approx(0.5)
    assert set(df[df.language == "ja"]["kind"]) == {"pos", "dep"}
    assert set(df[df.language == "zh"]["kind"]) == {"pos"}  # no parser for zh
    assert "ko" not in set(df.language) and res["support"]["ko"].startswith("unsupported")
    assert "no dependency parser" in res["support"]["zh"]
    pngs = [f for f in res["files"] if f.endswith(".png")]
    assert {Path(f).name for f in pngs} == {
        "en_pos.png",
        "en_dep.png",
        "ja_pos.png",
        "ja_dep.png",
        "zh_pos.png",
    }
    assert "unsupported" in (tmp_path / "linguistics.md").read_text()


def test_compared_models_from_eval_models(tmp_path):
    import pytest

    from songsage.config import load_config
    from songsage.eval.linguistics import compared_models

    base = [f"run.dir={tmp_path}", "eval.linguistics.use_eval_models=true", "eval.model_name=ours"]
    with pytest.raises(ValueError, match="needs two evaluated models"):
        compared_models(load_config(None, base))
    cfg = load_config(None, [*base, "eval.compare=[{name: teacher, model: smollm2-135m-instruct}]"])
    (a, _), (b, gen_b) = compared_models(cfg)
    assert (a, b, gen_b.model) == ("ours", "teacher", "smollm2-135m-instruct")
    explicit = load_config(
        None, [f"run.dir={tmp_path}", "eval.linguistics.name_a=x", "eval.linguistics.name_b=y"]
    )
    assert [n for n, _ in compared_models(explicit)] == ["x", "y"]
