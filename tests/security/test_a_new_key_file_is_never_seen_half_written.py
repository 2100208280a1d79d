"""Two processes that start at once on a new data directory both create the field key file; neither may read it empty.

Seen in a fresh clone's test run: two test workers, one creating the key file
and the other reading it between its creation and its first byte.
"""

from __future__ import annotations

import multiprocessing

from jiceng import sealed


def _create_and_read(path: str, barrier, out) -> None:
    from pathlib import Path

    barrier.wait()
    target = Path(path)
    content = sealed._serialise("k1", [sealed._new_key()])
    sealed._write_new(target, content)
    raw = target.read_bytes()
    out.put(len(raw) > 0 and raw.startswith(b"{"))


def test_racing_creators_each_read_a_whole_file(tmp_path):
    ctx = multiprocessing.get_context("fork")
    for round_ in range(20):
        path = tmp_path / f"field-keys-{round_}.json"
        barrier, out = ctx.Barrier(2), ctx.Queue()
        procs = [ctx.Process(target=_create_and_read, args=(str(path), barrier, out)) for _ in range(2)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(10)
        assert [out.get(timeout=5), out.get(timeout=5)] == [True, True]
        assert not [f for f in tmp_path.iterdir() if f.name.startswith(".")], "no temporary file is left behind"


def test_the_first_creator_wins(tmp_path):
    path = tmp_path / "field-keys.json"
    assert sealed._write_new(path, b'{"first": 1}') is True
    assert sealed._write_new(path, b'{"second": 2}') is False
    assert path.read_bytes() == b'{"first": 1}' and oct(path.stat().st_mode & 0o777) == "0o600"
