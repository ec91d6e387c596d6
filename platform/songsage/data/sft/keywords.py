"""Keyword extraction for task 6 (keywords -> lyrics).

- Chinese: ``jieba.analyse`` TF-IDF (``extract_tags``, jieba's built-in IDF table) or TextRank.
- Other languages: scikit-learn TF-IDF whose IDF is fitted per language on the song corpus (a sample of
  it on large data); space-separated languages use word tokens (English stop words removed for en),
  Japanese (no spaces) character 2-3-grams.
Tags (song/playlist) come first when ``include_tags``; the result is at most ``top_k`` distinct words.
"""

from __future__ import annotations

from typing import Any

from songsage.config.sft import KeywordConfig

# Languages written without spaces that jieba does not segment: TF-IDF over character n-grams.
CHAR_NGRAM_LANGUAGES = frozenset({"ja"})
CHAR_NGRAM_RANGE = (2, 3)
# Word tokens of at least two letters/digits (sklearn's default pattern).
WORD_PATTERN = r"(?u)\b\w\w+\b"
# Words appearing in more than this share of a language's songs carry no keyword signal.
MAX_DOC_FREQ = 0.5


class KeywordExtractor:
    """Fit once on the corpus (:meth:`fit`), then :meth:`extract` per song; picklable for Ray workers."""

    def __init__(self, cfg: KeywordConfig) -> None:
        self.cfg = cfg
        self.vectorizers: dict[str, Any] = {}

    def fit(self, texts_by_language: dict[str, list[str]]) -> KeywordExtractor:
        """Fit a TF-IDF vectorizer per non-Chinese language on its lyrics (languages with < 2 texts are skipped)."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        for lang, texts in texts_by_language.items():
            if lang == "zh" or len(texts) < 2:
                continue
            if lang in CHAR_NGRAM_LANGUAGES:
                vec = TfidfVectorizer(analyzer="char", ngram_range=CHAR_NGRAM_RANGE, max_df=MAX_DOC_FREQ)
            else:
                vec = TfidfVectorizer(
                    token_pattern=WORD_PATTERN,
                    max_df=MAX_DOC_FREQ,
                    stop_words="english" if lang == "en" else None,
                )
            try:
                vec.fit(texts)
            except ValueError:  # empty vocabulary after max_df / stop words
                continue
            self.vectorizers[lang] = vec
        return self

    def _zh(self, text: str) -> list[str]:
        import jieba.analyse

        fn = jieba.analyse.textrank if self.cfg.zh_method == "textrank" else jieba.analyse.extract_tags
        return list(fn(text, topK=self.cfg.top_k * 2))

    def _tfidf(self, text: str, lang: str) -> list[str]:
        vec = self.vectorizers.get(lang)
        if vec is None:
            return []
        row = vec.transform([text]).tocoo()
        names = vec.get_feature_names_out()
        order = sorted(zip(row.data, row.col, strict=True), key=lambda x: (-x[0], names[x[1]]))
        return [str(names[c]).strip() for _, c in order[: self.cfg.top_k * 2]]

    def extract(self, text: str, language: str, tags: list[str] | None = None) -> list[str]:
        """Up to ``top_k`` keywords: tags first (if enabled), then TF-IDF/TextRank words of ``text``."""
        words = self._zh(text) if language == "zh" else self._tfidf(text, language)
        candidates = [*(tags or [] if self.cfg.include_tags else []), *words]
        out: list[str] = []
        for w in candidates:
            w = w.strip()
            if len(w) >= self.cfg.min_chars and w.lower() not in {o.lower() for o in out}:
                out.append(w)
            if len(out) >= self.cfg.top_k:
                break
        return out
