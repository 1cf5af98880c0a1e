"""Turning Japanese and English text into search terms, the same way for profiles and queries.

SudachiPy (with sudachidict-core from PyPI) cuts the text into words. Each word becomes a term:
its dictionary-normalised form (サーバ → サーバー, ｴﾝｼﾞﾆｱ → エンジニア, ＰＭ → PM), NFKC, case
folded, hiragana folded to katakana and a trailing long-vowel mark dropped (マネージャ and
マネージャー, ユーザ and ユーザー meet). A long word (split mode C: 会計業務) also gives its
short parts (mode A: 会計, 業務), and consecutive nouns also give their joined form
(Web + デザイナー → ウェブデザイナー), which is how a multi-word synonym matches a profile.
Particles, auxiliary verbs, symbols and white space give no term.
"""

import re
import threading
import unicodedata
from collections import Counter

import jaconv

# Parts of speech (Sudachi's first level) that carry meaning in a profile.
CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞", "接頭辞", "接尾辞", "代名詞", "副詞"}
NOUN_POS = {"名詞", "接頭辞", "接尾辞"}
MAX_RUN = 3
MAX_TERM_LENGTH = 64
KANA_ONLY = re.compile(r"^[\u3041-\u309f\u30a0-\u30ffー]+$")
HIRAGANA_ONLY = re.compile(r"^[\u3041-\u309fー]+$")
LATIN_WORD = re.compile(r"^[a-z][a-z0-9+#.\-]*$")
# Words that say nothing about a person's experience, in either language.
STOPWORDS = {
    "する",
    "為る",
    "いる",
    "居る",
    "ある",
    "有る",
    "なる",
    "成る",
    "こと",
    "事",
    "もの",
    "物",
    "よう",
    "様",
    "ため",
    "為",
    "等",
    "など",
    "the",
    "and",
    "of",
    "in",
    "to",
    "a",
    "an",
    "for",
    "with",
    "on",
    "at",
    "as",
    "is",
    "i",
}

_local = threading.local()
STOP_KEYS: set[str] = set()  # STOPWORDS as term keys, filled below


def _tokenizers():
    """One Sudachi tokenizer pair per thread (they are not shareable between threads)."""
    pair = getattr(_local, "tokenizers", None)
    if pair is None:
        from sudachipy import Dictionary, SplitMode

        dictionary = Dictionary(dict="core")
        pair = (dictionary.tokenizer(SplitMode.C), SplitMode.A)
        _local.tokenizers = pair
    return pair


def prepare(text: str) -> str:
    """NFKC (full/half width), with the separators people type between skills turned into spaces."""
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"[\s/|,、,;;・]+", " ", text).strip()


def term_key(form: str) -> str:
    """The key one word is indexed and looked up under."""
    key = jaconv.hira2kata(unicodedata.normalize("NFKC", form).casefold().strip())
    if len(key) > 3 and key.endswith("ー") and KANA_ONLY.match(key):
        key = key.rstrip("ー")
    if LATIN_WORD.match(key) and len(key) > 3 and key.endswith("s") and not key.endswith("ss"):
        key = key[:-1]  # a light English plural fold: engineers → engineer, skills → skill
    return key[:MAX_TERM_LENGTH]


def _words(text: str):
    """(key, is_noun, [short-unit keys], surface) for each content word, None where a run of nouns breaks."""
    tokenizer, mode_a = _tokenizers()
    for chunk in _chunks(prepare(text)):
        for morpheme in tokenizer.tokenize(chunk):
            pos = morpheme.part_of_speech()[0]
            if pos == "空白":
                continue
            surface = morpheme.surface()
            if pos not in CONTENT_POS:
                yield None
                continue
            # Sudachi turns some English words into katakana (Engineers → エンジニアズ): a Latin word
            # keeps its own spelling as the key, and the dictionary's form as an extra term.
            latin = surface.isascii()
            key = term_key(surface if latin else morpheme.normalized_form())
            alternative = term_key(morpheme.normalized_form()) if latin else ""
            if not key or key in STOP_KEYS or (len(key) == 1 and HIRAGANA_ONLY.match(surface)):
                yield None
                continue
            parts = [alternative] if alternative and alternative != key else []
            if len(surface) > 2 and not latin:
                split = morpheme.split(mode_a)
                if len(split) > 1:
                    parts_a = [term_key(m.normalized_form()) for m in split]
                    parts += [p for p in parts_a if p and p != key and p not in STOP_KEYS]
            yield key, pos in NOUN_POS, parts, surface


def _chunks(text: str, size: int = 4000):
    # Sudachi refuses very long inputs; profile fields are short, but a bench text may not be.
    while text:
        yield text[:size]
        text = text[size:]


def document_terms(text: str) -> tuple[Counter, int]:
    """Terms of a profile field with their counts, and the field's length in words."""
    terms = Counter()
    length = 0
    run = []
    for word in _words(text):
        if word is None or not word[1]:
            run = []
            if word is None:
                continue
        key, is_noun, parts, _surface = word
        length += 1
        terms[key] += 1
        for part in parts:
            terms[part] += 1
        if is_noun:
            run.append(key)
            for size in range(2, min(len(run), MAX_RUN) + 1):
                terms["".join(run[-size:])[:MAX_TERM_LENGTH]] += 1
    return terms, length


def phrase_key(text: str) -> str:
    """A synonym or a query word as one key: its words' keys joined (matches a profile's noun run)."""
    return "".join(word[0] for word in _words(text) if word is not None)[:MAX_TERM_LENGTH]


def query_words(q: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """For each word of a query (split at spaces): what the user typed and its (shown, key) words.
    A word typed all in kana is read as katakana first, so えんじにあ looks up エンジニア instead
    of being cut into particles."""
    result = []
    for raw in prepare(q).split():
        text = jaconv.hira2kata(raw) if KANA_ONLY.match(raw) else raw
        words = [(word[3] if text == raw else raw, word[0]) for word in _words(text) if word is not None]
        if words:
            result.append((raw, words))
    return result


STOP_KEYS.update(term_key(word) for word in STOPWORDS)
