"""The coding assistant (编码助手): ranks problem items for a suggestion as residents write it.

Residents do not write the problem list's words: they write 小伢 for 孩子, 路等 for 路灯 (a pinyin input
slip), 电瓶车 for 电动车, two problems in one sentence, emoji. So a suggestion is compared with each problem
item in three ways at once, each a TF-IDF space (scikit-learn) fitted on the items' own texts (title,
keywords, and the residents' words the office keeps as the item's *synonyms*):

- **words** — jieba (search mode) tokens, stopwords dropped;
- **characters** — character 1–3-grams (``char_wb``): catches a word jieba cuts differently, and half words;
- **sounds** — toneless pinyin syllable pairs (pypinyin): 路等 sounds like 路灯, 物也 like 物业.

The IDF is fitted on the items' texts and the suggestion pool's (so that a word every resident writes, such
as 小区, weighs little).

Before that the text is normalised: full-width forms, emoji and WeChat's ``[捂脸]`` codes dropped, and the
dialect and spoken words of :data:`RESIDENT_WORDS` replaced by the standard ones. A suggestion that names
two problems is also ranked clause by clause, so that both its items come near the top. Every suggestion
gets candidates: when nothing overlaps, the items most often coded fill the list (marked ``fallback``).

Coded suggestions teach the ranker (each item's profile gains the centroid of its latest coded
suggestions) where that helps: with and without it, ``bench/surveys_coding_accuracy.py`` measures both.

The ranker is built lazily once per process: the spaces are refitted only when the problem list changes or
the pool doubles, and after a coding only the learnt part is re-assembled from rows already analysed. A
page of suggestions then costs four small queries (the cache keys) and one pass per space."""

from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import jieba
import numpy as np
from django.db.models import Count, Max
from pypinyin import lazy_pinyin
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from .models import ProblemItem, Suggestion

STOPWORDS = frozenset(
    """
    的 了 和 与 及 或 是 在 有 也 都 就 还 又 很 太 更 最 把 被 让 给 对 从 向 到 为 以 于 将 而 并
    但 却 如 如果 因为 所以 这 那 这个 那个 这些 那些 这里 那里 我 我们 你 你们 他 她 它 他们 大家
    自己 什么 怎么 怎样 如何 哪里 为什么 能否 能不能 可以 可否 希望 建议 要求 呼吁 请 请求 恳请 能
    会 要 想 应 应该 应当 需要 需 尽快 赶紧 早日 及时 进一步 加大 加强 多 少 一些 一点 一下 一个
    问题 情况 方面 工作 有关 部门 政府 相关 领导 同志 群众 居民 市民 老百姓 百姓 现在 目前 现状
    还是 比较 非常 特别 十分 实在 确实 没有 不 没 无 好 不好 得到 解决 一直 经常 总是 每天 平时
    附近 周边 身边 我家 家里 咱们 本 该 其 之 等 啊 吧 呢 吗 呀 嘛 哦 个 些 下 上 里 中 内 外 前 后
    时 时候 年 月 日 天 次 能够 可能 已经 仍然 依然 有点 有些 存在 出现 反映 意见 提 提出
    家门口 门口 晚上 白天 早上 中午 天天 一年 一天 好几 好多 到处 根本 真的 实在是
    """.split()
)

# Dialect (Jiangyan / Taizhou 江淮官话) and spoken words → the standard word the problem list uses. Longer
# variants first, so that 小把戏 is replaced before 把戏 could be. General language, not any one item's.
RESIDENT_WORDS: tuple[tuple[str, str], ...] = (
    ("小把戏", "孩子"),
    ("小伢子", "孩子"),
    ("小伢儿", "孩子"),
    ("伢儿", "孩子"),
    ("伢子", "孩子"),
    ("小伢", "孩子"),
    ("细伢", "孩子"),
    ("小孩子", "孩子"),
    ("小孩", "孩子"),
    ("小朋友", "孩子"),
    ("娃娃", "孩子"),
    ("娃", "孩子"),
    ("没得", "没有"),
    ("木有", "没有"),
    ("晓得", "知道"),
    ("肿么", "怎么"),
    ("电瓶车", "电动车"),
    ("电驴子", "电动车"),
    ("电驴", "电动车"),
    ("庄子上", "村里"),
    ("庄上", "村里"),
    ("庄子", "村子"),
    ("夜里头", "晚上"),
    ("夜里", "晚上"),
    ("夜头", "晚上"),
    ("衣裳", "衣服"),
    ("爹爹", "爷爷"),
    ("家婆", "外婆"),
    ("老奶奶", "老人"),
    ("老爷子", "老人"),
    ("老头子", "老人"),
    ("老太太", "老人"),
    ("老年人", "老人"),
    ("老人家", "老人"),
    ("礼拜", "星期"),
    ("屋里", "家里"),
    ("哪块", "哪里"),
    ("这块", "这里"),
    ("那块", "那里"),
    ("下头", "下面"),
    ("外头", "外面"),
    ("里头", "里面"),
    ("一塌糊涂", "很乱"),
    ("搞不好", "可能"),
)
_WECHAT_CODE = re.compile(r"\[[^\[\]]{1,6}\]")  # [捂脸] [流泪] …
_NOT_TEXT = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9]+")
_CLAUSE = re.compile(r"[，,。.；;！!？?\n、～~]+|另外|还有|而且|同时|再说|再加上|并且")
_TOKEN_OK = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9]+$")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")

# The three spaces' weights, tuned on the development set (bench/data/suggestions_dev.csv).
WORD_WEIGHT = 1.0
CHAR_WEIGHT = 1.0
SOUND_WEIGHT = 0.3
CLAUSE_WEIGHT = 0.5  # the best clause's score, added to the whole text's
TITLE_REPEAT = 2  # the title counts twice in an item's document
LEARN_WEIGHT = 0.6  # coded suggestions' centroid in an item's profile (0: the items' own words only)
BACKGROUND_SIZE = 3_000  # suggestion texts the spaces' IDF is fitted on (a sample of a larger pool)
LEARN_PER_ITEM = 40  # the latest codings of each item it learns from
MIN_CLAUSE = 4  # characters

_jieba_lock = threading.Lock()
_jieba_ready = False
_model_lock = threading.Lock()
_model_cache: dict = {}


def _jieba():
    """Initialise jieba once per process (it ships its dictionary: no network). Importing jieba is cheap;
    loading its dictionary is not, so that happens here, on first use."""
    global _jieba_ready
    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba_ready = True
    return jieba


def split_keywords(keywords: str) -> list[str]:
    return [k for k in re.split(r"[\s,，、;；/]+", keywords or "") if k]


def add_words(words: Iterable[str]) -> None:
    """Teach jieba the problem items' keywords and synonyms so they stay whole tokens."""
    jieba = _jieba()
    for word in words:
        if 2 <= len(word) <= 8:
            jieba.add_word(word, freq=2000)


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, WeChat codes and emoji dropped, resident words standardised."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = _WECHAT_CODE.sub(" ", text)
    for variant, standard in RESIDENT_WORDS:
        if variant in text:
            text = text.replace(variant, standard)
    return text


def tokenize(text: str) -> list[str]:
    """Search-mode segmentation without stopwords, punctuation and single latin/digit characters."""
    jieba = _jieba()
    tokens = []
    for token in jieba.lcut_for_search(normalise(text)):
        token = token.strip()
        if not token or token in STOPWORDS or not _TOKEN_OK.match(token):
            continue
        if len(token) == 1 and not ("\u4e00" <= token <= "\u9fff"):
            continue
        tokens.append(token)
    return tokens


def _chars(text: str) -> str:
    """The text for the character n-grams: letters and digits only, every other run a word boundary."""
    return _NOT_TEXT.sub(" ", normalise(text)).strip()


@functools.lru_cache(maxsize=20_000)
def _syllable(char: str) -> str:
    """A character's toneless pinyin, its most common reading (a typing slip is made on that one)."""
    return lazy_pinyin(char)[0]


def sounds(text: str) -> list[str]:
    """Toneless pinyin syllable pairs of every run of Chinese characters (路灯 and 路等 both give lu_deng)."""
    pairs = []
    for run in _HAN_RUN.findall(normalise(text)):
        syllables = [_syllable(c) for c in run]
        pairs += [f"{a}_{b}" for a, b in zip(syllables, syllables[1:], strict=False)]
    return pairs


def clauses(text: str) -> list[str]:
    """The clauses of a suggestion worth ranking on their own (a suggestion may name two problems)."""
    parts = [p.strip() for p in _CLAUSE.split(normalise(text))]
    parts = [p for p in parts if len(_NOT_TEXT.sub("", p)) >= MIN_CLAUSE]
    return parts if len(parts) > 1 else []


@functools.lru_cache(maxsize=50_000)
def _analysed(text: str) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    return tuple(tokenize(text)), _chars(text), tuple(sounds(text))


def _words_of(text: str) -> tuple[str, ...]:
    return _analysed(text)[0]


def _sounds_of(text: str) -> tuple[str, ...]:
    return _analysed(text)[2]


def _chars_of(text: str) -> str:
    return _analysed(text)[1]


@dataclass(frozen=True)
class Candidate:
    item_id: int
    score: float
    fallback: bool = False  # nothing in the text matched: one of the items most often coded


@dataclass(frozen=True)
class ItemText:
    """What the ranker reads of a problem item."""

    id: int
    title: str
    keywords: str = ""
    synonyms: str = ""

    @property
    def document(self) -> str:
        words = split_keywords(self.keywords) + split_keywords(self.synonyms)
        return " ".join([self.title] * TITLE_REPEAT + words)


class Spaces:
    """The three TF-IDF spaces, fitted on the problem items' documents plus the ``background`` (texts of
    the suggestion pool: residents' words, so that a word every resident writes weighs little), and the
    items' own profiles in each. Each text's rows are kept, so coded suggestions are analysed once."""

    def __init__(self, items: Iterable[ItemText | Sequence], background: Iterable[str] = ()):
        items = [i if isinstance(i, ItemText) else ItemText(*i) for i in items]
        add_words(w for i in items for w in split_keywords(i.keywords) + split_keywords(i.synonyms))
        _analysed.cache_clear()  # new words change the segmentation
        self.item_ids = [i.id for i in items]
        self.index = {item_id: n for n, item_id in enumerate(self.item_ids)}
        self.vectorizers: list[tuple[TfidfVectorizer, float]] = []
        self.profiles: list = []  # (items × terms) per space, rows of unit length
        self._row_of: dict[str, int] = {}  # text → its row in ``self._seen``
        self._seen: list = []  # per space, the rows of every text analysed for learning
        documents = [i.document for i in items]
        background = list(background)
        for vectorizer, weight in (
            (TfidfVectorizer(analyzer=_words_of, sublinear_tf=True), WORD_WEIGHT),
            (
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, preprocessor=_chars_of
                ),
                CHAR_WEIGHT,
            ),
            (TfidfVectorizer(analyzer=_sounds_of, sublinear_tf=True), SOUND_WEIGHT),
        ):
            try:
                vectorizer.fit(documents + background)
            except ValueError:  # nothing of this kind in any item (e.g. no Chinese at all): no such space
                continue
            self.vectorizers.append((vectorizer, weight))
            self.profiles.append(sparse.csr_matrix(vectorizer.transform(documents)))

    def transform(self, texts: list[str]) -> list:
        """``texts`` in each space: one (texts × terms) matrix per space."""
        return [vectorizer.transform(texts) for vectorizer, _weight in self.vectorizers]

    def rows(self, texts: list[str]) -> list:
        """Like :meth:`transform`, but each text is analysed once per ``Spaces`` (the coded suggestions are
        asked for again after every coding)."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._row_of))
        if missing:
            new = self.transform(missing)
            self._seen = (
                [sparse.vstack([old, m], format="csr") for old, m in zip(self._seen, new, strict=True)]
                if self._seen
                else [sparse.csr_matrix(m) for m in new]
            )
            start = len(self._row_of)
            self._row_of.update((text, start + n) for n, text in enumerate(missing))
        index = [self._row_of[t] for t in texts]
        return [matrix[index] for matrix in self._seen]


@dataclass
class Ranker:
    """The spaces and each item's profile in them: its own words, plus the centroid of the suggestions
    coded into it (weighed ``learn_weight``)."""

    spaces: Spaces
    profiles: list = field(default_factory=list)
    popular: list[int] = field(default_factory=list)  # item ids, most coded first (the fallback)

    @classmethod
    def build(
        cls,
        items: Iterable[ItemText | Sequence],
        coded: Iterable[tuple[int, str]] = (),
        *,
        background: Iterable[str] = (),
        learn_weight: float | None = None,
    ) -> Ranker:
        """``items``: :class:`ItemText` (or (id, title, keywords[, synonyms]) tuples); ``coded``: (item id,
        suggestion text) for every item each coded suggestion is coded to; ``background``: texts of the
        suggestion pool (coded or not) for the spaces' IDF."""
        return cls.learn(Spaces(items, background), coded, learn_weight=learn_weight)

    @classmethod
    def learn(
        cls, spaces: Spaces, coded: Iterable[tuple[int, str]], *, learn_weight: float | None = None
    ) -> Ranker:
        """A ranker on ``spaces`` that has learnt from the ``coded`` suggestions."""
        learn_weight = LEARN_WEIGHT if learn_weight is None else learn_weight
        coded = [(item_id, text) for item_id, text in coded if item_id in spaces.index]
        counts = Counter(item_id for item_id, _text in coded)
        popular = sorted(spaces.item_ids, key=lambda i: (-counts[i], i))
        # An item's centroid is as good from its latest LEARN_PER_ITEM codings as from all of them, and the
        # cost of learning then stops growing with the pool.
        kept: Counter = Counter()
        latest = []
        for item_id, text in reversed(coded):
            if kept[item_id] < LEARN_PER_ITEM:
                kept[item_id] += 1
                latest.append((item_id, text))
        coded = latest[::-1]
        if not (learn_weight and coded):
            return cls(spaces=spaces, profiles=spaces.profiles, popular=popular)
        owner = sparse.csr_matrix(
            (np.ones(len(coded)), ([spaces.index[i] for i, _t in coded], range(len(coded)))),
            shape=(len(spaces.item_ids), len(coded)),
        )
        rows = spaces.rows([text for _id, text in coded])
        profiles = [
            _unit_rows(own + learn_weight * _unit_rows(owner @ matrix))
            for own, matrix in zip(spaces.profiles, rows, strict=True)
        ]
        return cls(spaces=spaces, profiles=profiles, popular=popular)

    @property
    def item_ids(self) -> list[int]:
        return self.spaces.item_ids

    def scores(self, texts: list[str]) -> np.ndarray:
        """(texts × items) similarity: the weighted sum of the spaces' cosines."""
        total = np.zeros((len(texts), len(self.item_ids)))
        matrices = self.spaces.transform(texts)
        for (_vectorizer, weight), matrix, profile in zip(
            self.spaces.vectorizers, matrices, self.profiles, strict=True
        ):
            total += weight * (matrix @ profile.T).toarray()
        return total

    def rank_many(self, texts: list[str], k: int = 3) -> list[list[Candidate]]:
        """The ``k`` best problem items for each text, best first (ties by item id); every text gets ``k``
        candidates when there are that many items (the most coded items fill in, marked ``fallback``)."""
        if not self.item_ids or not texts:
            return [[] for _ in texts]
        parts = [clauses(text) for text in texts]
        flat = [p for ps in parts for p in ps]
        everything = self.scores(texts + flat)  # one pass per space for the texts and their clauses
        whole, by_clause = everything[: len(texts)], everything[len(texts) :]
        start = 0
        for row, ps in enumerate(parts):
            if ps:
                whole[row] += CLAUSE_WEIGHT * by_clause[start : start + len(ps)].max(axis=0)
                start += len(ps)
        ids = np.array(self.item_ids)
        result = []
        for row in whole:
            order = np.lexsort((ids, -row))[:k]
            ranked = [Candidate(int(ids[i]), round(float(row[i]), 4)) for i in order if row[i] > 0]
            taken = {c.item_id for c in ranked}
            for item_id in self.popular:
                if len(ranked) >= k:
                    break
                if item_id not in taken:
                    ranked.append(Candidate(item_id, 0.0, fallback=True))
            result.append(ranked)
        return result

    def rank(self, text: str, k: int = 3) -> list[Candidate]:
        return self.rank_many([text], k)[0]


def _unit_rows(matrix):
    matrix = sparse.csr_matrix(matrix)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1))).ravel()
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix)


# --- the ranker of the current problem list and coding (per process) -------------------------------------

_codings = Suggestion.problem_items.through.objects


def _background() -> list[str]:
    """The suggestion pool's texts, or ``BACKGROUND_SIZE`` of them spread over it (by id) when larger."""
    total = Suggestion.objects.count()
    texts = Suggestion.objects.order_by("id").values_list("text", flat=True)
    if total <= BACKGROUND_SIZE:
        return list(texts)
    step = total // BACKGROUND_SIZE + 1
    return [text for n, text in enumerate(texts.iterator(chunk_size=5000)) if n % step == 0]


def _spaces_key() -> tuple:
    items = ProblemItem.objects.aggregate(n=Count("id"), changed=Max("updated_at"))
    pool = Suggestion.objects.count()
    # Refitted when the list changes, or when the pool has doubled (the IDF then moves; a few more
    # suggestions do not).
    return (items["n"], items["changed"], pool.bit_length())


def _coding_key() -> tuple:
    coded = Suggestion.objects.filter(problem_item__isnull=False).aggregate(
        n=Count("id"), changed=Max("coded_at")
    )
    return (coded["n"], coded["changed"], _codings.count())


def current_ranker() -> Ranker:
    """The ranker of the current problem list and coding (cached per process). The spaces are refitted
    only when the problem list changes or the pool doubles; after a coding only the learnt part is
    re-assembled, from rows already analysed."""
    key = (_spaces_key(), _coding_key())
    cached = _model_cache.get("ranker")
    if cached and cached[0] == key:
        return cached[1]
    with _model_lock:
        cached = _model_cache.get("ranker")
        if cached and cached[0] == key:
            return cached[1]
        spaces_cached = _model_cache.get("spaces")
        if spaces_cached and spaces_cached[0] == key[0]:
            spaces = spaces_cached[1]
        else:
            spaces = Spaces(
                (
                    ItemText(*row)
                    for row in ProblemItem.objects.values_list("id", "title", "keywords", "synonyms")
                ),
                background=_background(),
            )
            _model_cache["spaces"] = (key[0], spaces)
        coded = (
            _codings.filter(suggestion__problem_item__isnull=False)
            .order_by("suggestion_id")
            .values_list("problemitem_id", "suggestion__text")
        )
        ranker = Ranker.learn(spaces, coded.iterator(chunk_size=5000))
        _model_cache["ranker"] = (key, ranker)
        return ranker


def clear_cache() -> None:
    _model_cache.clear()
    _analysed.cache_clear()


def rank_suggestions(suggestions: Iterable, k: int = 3) -> dict[int, list[Candidate]]:
    """Top ``k`` candidates for each suggestion (objects with ``pk`` and ``text``), in one pass."""
    suggestions = list(suggestions)
    ranked = current_ranker().rank_many([s.text for s in suggestions], k)
    return {s.pk: candidates for s, candidates in zip(suggestions, ranked, strict=True)}
