"""Chinese text helpers: jieba tokens without stop words, and address keys."""

from __future__ import annotations

import functools
import logging
import math
import re
import threading
import unicodedata

STOP_WORDS = frozenset(
    "的 了 和 是 在 有 也 就 都 而 及 与 着 或 一个 没有 我们 你们 他们 她们 它们 我 你 他 她 它 这 那 这个 那个 这里 那里 "
    "请 请求 希望 尽快 帮忙 帮助 反映 问题 情况 相关 已经 目前 现在 一直 经常 多次 还是 但是 因为 所以 如果 可以 需要 进行 "
    "一下 一些 一段 什么 怎么 为什么 哪里 要 会 对 把 被 让 从 向 到 给 于 为 以 上 下 中 内 外 里 后 前 时 年 月 日 号 天 "
    "左右 约 多 少 很 太 非常 比较 更 最 又 再 还 并 等 其 该 此 之 个 名 户 人 家 位 次 件 已 未 不 没 无 能 将 应 该 "
    "村 社区 镇 乡 街道 区 县 市 省 组".split()
)
_PUNCT_OR_SPACE = re.compile(r"[\s\W_]+", re.UNICODE)
_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def _jieba():
    """Import jieba and build its dictionary once; keep its log quiet.

    The dictionary ships inside the package (no network); building the prefix
    dictionary takes about a second, so it is done once per process.
    """
    with _lock:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        logging.getLogger("jieba").setLevel(logging.WARNING)
        from django.conf import settings

        tokenizer = jieba.Tokenizer()
        # jieba caches the built prefix dictionary in a file; keep it in our data directory, not /tmp.
        tokenizer.tmp_dir = str(settings.DATA_DIR)
        tokenizer.initialize()
        return tokenizer


def tokens(text: str) -> list[str]:
    """Meaningful tokens of ``text`` (order kept, repeats kept): no stop words, digits or punctuation."""
    text = unicodedata.normalize("NFKC", text or "")
    out = []
    for tok in _jieba().lcut(text, HMM=False):
        tok = tok.strip()
        if not tok or tok in STOP_WORDS or _PUNCT_OR_SPACE.fullmatch(tok) or tok.isdigit():
            continue
        if len(tok) == 1 and not ("\u4e00" <= tok <= "\u9fff"):
            continue  # lone Latin letters and symbols carry no meaning here
        out.append(tok.lower())
    return out


def token_set(text: str) -> frozenset[str]:
    return frozenset(tokens(text))


def cosine(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    """Cosine similarity of two token sets (binary vectors): |a∩b| / √(|a|·|b|)."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百]+(?=号|栋|单元|层|楼|室|组)")
# Building/house-number suffixes written in several ways; unified so 3幢 = 3栋 = 3座, 5號 = 5号.
_SUFFIXES = [("號", "号"), ("幢", "栋"), ("座", "栋"), ("棟", "栋"), ("單元", "单元"), ("樓", "楼"), ("弄", "巷")]
_DROP = re.compile(r"[\s\W_]+|附近|旁边|对面|门口", re.UNICODE)


def _cn_to_int(text: str) -> int:
    """Chinese numerals up to 999: 十二 → 12, 二十 → 20, 三百零五 → 305."""
    total, current = 0, 0
    for ch in text:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CN_DIGITS[ch]
    return total + current


def normalise_address(address: str) -> str:
    """A comparison key for a Chinese address.

    Full-width → half-width (NFKC), spaces and punctuation removed, Chinese
    numerals before 号/栋/单元/层/室/组 turned into digits, and variant
    suffixes unified (幢/座 → 栋, 號 → 号), so "三幢 ２单元" and "3栋2单元" match.
    """
    text = unicodedata.normalize("NFKC", address or "").strip().lower()
    for old, new in _SUFFIXES:
        text = text.replace(old, new)
    text = re.sub(r"(\d+)\s*[-－—]\s*(\d+)", r"\1栋\2", text)  # 3-2 is building 3, unit/number 2
    text = _DROP.sub("", text)
    text = _CN_NUMBER.sub(lambda m: str(_cn_to_int(m.group(0))), text)
    return text
