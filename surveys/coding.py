"""The coding assistant (编码助手): ranks problem items for a suggestion by text similarity.

Chinese text is segmented with jieba (search mode, stopwords and punctuation dropped); each problem item is
a TF-IDF profile built from its title and keywords plus the suggestions already coded into it; a
suggestion is scored against every profile by cosine similarity. Plain Python (dict/Counter) — 169 items
and a few thousand coded suggestions fit in memory many times over.

The model is built lazily once per process and rebuilt only when the problem items or the coding change
(the cache key is their count and last change), so ranking a page of suggestions costs two small queries."""

from __future__ import annotations

import functools
import logging
import math
import re
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import jieba
from django.db.models import Count, Max

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
    """.split()
)
_TOKEN_OK = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9]+$")
KEYWORD_WEIGHT = 3  # a keyword of the item counts as three mentions in its profile
TITLE_WEIGHT = 2
SUGGESTION_WEIGHT = 0.5  # the coded suggestions' centroid counts half as much as the item's own words

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
    """Teach jieba the problem items' keywords so they stay whole tokens."""
    jieba = _jieba()
    for word in words:
        if 2 <= len(word) <= 8:
            jieba.add_word(word, freq=2000)


@functools.lru_cache(maxsize=200_000)
def _cached_tokens(text: str) -> tuple[str, ...]:
    return tuple(tokenize(text))


def tokenize(text: str) -> list[str]:
    """Search-mode segmentation without stopwords, punctuation and single latin/digit characters."""
    jieba = _jieba()
    tokens = []
    for token in jieba.lcut_for_search(text or ""):
        token = token.strip().lower()
        if not token or token in STOPWORDS or not _TOKEN_OK.match(token):
            continue
        if len(token) == 1 and not ("\u4e00" <= token <= "\u9fff"):
            continue
        tokens.append(token)
    return tokens


@dataclass(frozen=True)
class Candidate:
    item_id: int
    score: float


@dataclass
class Ranker:
    """TF-IDF profiles of problem items and a cosine ranker over them."""

    idf: dict[str, float] = field(default_factory=dict)
    profiles: dict[int, dict[str, float]] = field(default_factory=dict)  # item id → unit vector
    postings: dict[str, list[tuple[int, float]]] = field(default_factory=dict)  # term → [(item, weight)]

    @classmethod
    def build(cls, items: Iterable[tuple[int, str, str]], coded: Iterable[tuple[int, str]]) -> Ranker:
        """``items``: (id, title, keywords); ``coded``: (item id, suggestion text). Every item and every coded
        suggestion is a document of the IDF; an item's profile is its own text plus the centroid of its coded
        suggestions."""
        items = list(items)
        add_words(k for _id, _title, keywords in items for k in split_keywords(keywords))
        item_terms: dict[int, Counter] = {}
        for item_id, title, keywords in items:
            terms = Counter()
            for token in tokenize(title):
                terms[token] += TITLE_WEIGHT
            for keyword in split_keywords(keywords):
                for token in tokenize(keyword):
                    terms[token] += KEYWORD_WEIGHT
            item_terms[item_id] = terms
        suggestion_terms: dict[int, list[Counter]] = {}
        for item_id, text in coded:
            if item_id in item_terms:
                # Cached: re-coding one suggestion rebuilds the model without segmenting every text again.
                suggestion_terms.setdefault(item_id, []).append(Counter(_cached_tokens(text)))

        documents = list(item_terms.values()) + [c for cs in suggestion_terms.values() for c in cs]
        df = Counter(term for doc in documents for term in doc)
        n = len(documents) or 1
        idf = {term: math.log((1 + n) / (1 + freq)) + 1.0 for term, freq in df.items()}
        ranker = cls(idf=idf)

        for item_id, terms in item_terms.items():
            own = ranker._unit(ranker._weigh(terms))
            profile = Counter(own)
            docs = suggestion_terms.get(item_id, [])
            if docs:
                centroid = Counter()
                for doc in docs:
                    for term, weight in ranker._unit(ranker._weigh(doc)).items():
                        centroid[term] += weight
                for term, weight in ranker._unit(centroid).items():
                    profile[term] += weight * SUGGESTION_WEIGHT
            vector = ranker._unit(profile)
            ranker.profiles[item_id] = vector
            for term, weight in vector.items():
                ranker.postings.setdefault(term, []).append((item_id, weight))
        return ranker

    def _weigh(self, terms: Counter) -> dict[str, float]:
        return {t: (1 + math.log(c)) * self.idf.get(t, 0.0) for t, c in terms.items() if c > 0}

    @staticmethod
    def _unit(vector: dict[str, float]) -> dict[str, float]:
        norm = math.sqrt(sum(w * w for w in vector.values()))
        return {t: w / norm for t, w in vector.items()} if norm else {}

    def rank(self, text: str, k: int = 3) -> list[Candidate]:
        """The ``k`` best problem items for ``text``, best first (ties by item id)."""
        query = self._unit(self._weigh(Counter(t for t in tokenize(text) if t in self.idf)))
        scores: Counter = Counter()
        for term, weight in query.items():
            for item_id, item_weight in self.postings.get(term, ()):
                scores[item_id] += weight * item_weight
        best = sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))[:k]
        return [Candidate(item_id, round(score, 4)) for item_id, score in best if score > 0]


def _cache_key() -> tuple:
    items = ProblemItem.objects.aggregate(n=Count("id"), changed=Max("updated_at"))
    coded = Suggestion.objects.filter(problem_item__isnull=False).aggregate(
        n=Count("id"), changed=Max("coded_at")
    )
    return (items["n"], items["changed"], coded["n"], coded["changed"])


def current_ranker() -> Ranker:
    """The ranker of the current problem list and coding (cached per process, rebuilt on change)."""
    key = _cache_key()
    cached = _model_cache.get("ranker")
    if cached and cached[0] == key:
        return cached[1]
    with _model_lock:
        cached = _model_cache.get("ranker")
        if cached and cached[0] == key:
            return cached[1]
        previous = cached[0] if cached else None
        if previous is None or previous[:2] != key[:2]:
            _cached_tokens.cache_clear()  # new keywords change the segmentation
        ranker = Ranker.build(
            ProblemItem.objects.values_list("id", "title", "keywords"),
            Suggestion.objects.filter(problem_item__isnull=False)
            .values_list("problem_item_id", "text")
            .iterator(),
        )
        _model_cache["ranker"] = (key, ranker)
        return ranker


def clear_cache() -> None:
    _model_cache.clear()
    _cached_tokens.cache_clear()


def rank_suggestions(suggestions: Iterable, k: int = 3) -> dict[int, list[Candidate]]:
    """Top ``k`` candidates for each suggestion (objects with ``pk`` and ``text``)."""
    ranker = current_ranker()
    return {s.pk: ranker.rank(s.text, k) for s in suggestions}
