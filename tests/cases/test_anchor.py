"""Signed anchors pin every chain head outside the database: a careful rewrite before the last anchor is caught."""

from __future__ import annotations

import json
import stat
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from jiceng.cases import anchor, chain, workflow
from jiceng.cases.actions import do_case_action
from jiceng.cases.models import Case, CaseEvent
from jiceng.cases.verify import iter_problems

from .helpers import handling_case, submit, village_staff


def _resolved(world) -> Case:
    case = handling_case(world)
    return do_case_action(case, "resolve", village_staff(world, case.area_id), {"result": "已修好"})


def _recompute(case: Case) -> None:
    """What an attacker with database access does: rebuild every hash and the head so the chain is consistent again."""
    prev = chain.GENESIS
    snapshot = workflow.Snapshot()
    events = list(CaseEvent.objects.filter(case=case).order_by("seq"))
    for e in events:
        values = chain.event_values(case_number=case.number, action=e.action, from_state=e.from_state, to_state=e.to_state,
                                    actor_id=e.actor_id, actor_label=e.actor_label, at=e.at, unit_id=e.unit_id, note=e.note, payload=e.payload)
        digest, marks = chain.seal_event(prev, e.seq, values)
        CaseEvent.objects.filter(pk=e.pk).update(prev_hash=prev, hash=digest, marks=marks)
        snapshot = workflow.apply(snapshot, e.action, e.to_state, e.payload, e.note)
        prev = digest
    Case.objects.filter(pk=case.pk).update(
        last_hash=prev, event_count=len(events), version=len(events), updated_at=events[-1].at, **case.snapshot_columns(snapshot)
    )


def _only_anchor_problems(case: Case) -> list:
    problems = list(iter_problems())
    assert problems, "the rewrite went unnoticed"
    assert all(p.kind == "anchor" and p.number == case.number for p in problems), [str(p) for p in problems]
    return problems


@pytest.mark.django_db
def test_an_anchor_signs_the_root_of_all_heads_with_a_key_outside_the_database(world):
    cases = [_resolved(world), submit(world, title="另一件")]
    made = anchor.create_anchor()
    key_file = settings.ANCHOR_KEY_PATH
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    lines = (settings.ANCHOR_DIR / anchor.LOG_NAME).read_text().splitlines()
    record = json.loads(lines[-1])
    heads = sorted((c.number, c.event_count, c.last_hash) for c in Case.objects.all())
    assert record["root"] == anchor.merkle_root(heads) == made.root and record["cases"] == len(cases)
    assert anchor.signature_ok(record) and record["key"] == anchor.public_key_hex()
    assert not anchor.signature_ok({**record, "root": "0" * 64})
    assert list(iter_problems()) == []


@pytest.mark.django_db
def test_public_key_command_prints_the_key_that_signs(world, capsys):
    call_command("anchor")
    out = capsys.readouterr().out
    call_command("anchor", "--public-key")
    key = capsys.readouterr().out.strip()
    assert len(key) == 64 and key in out


@pytest.mark.django_db
def test_a_truncated_chain_with_its_head_rolled_back_is_caught(world):
    case = _resolved(world)
    anchor.create_anchor()
    CaseEvent.objects.filter(case=case, seq=case.event_count).delete()  # queryset delete bypasses the model guard
    _recompute(case)
    problems = _only_anchor_problems(case)
    assert "截断" in problems[0].detail


@pytest.mark.django_db
def test_a_rewritten_note_with_the_chain_recomputed_is_caught_and_named(world):
    case = handling_case(world)
    staff = village_staff(world, case.area_id)
    case = do_case_action(case, "note", staff, {"note": "已联系供电所"})
    note_seq = case.event_count
    case = do_case_action(case, "resolve", staff, {"result": "已修好"})
    anchor.create_anchor()
    CaseEvent.objects.filter(case=case, seq=note_seq).update(note="从未联系任何人")
    assert {p.kind for p in iter_problems()} == {"chain"}, "without recomputation the chain itself catches it"
    _recompute(case)
    problems = _only_anchor_problems(case)
    assert problems[0].seq == case.event_count and "改写" in problems[0].detail


@pytest.mark.django_db
def test_events_after_the_anchor_and_new_cases_verify(world):
    case = handling_case(world)
    anchor.create_anchor()
    do_case_action(case, "resolve", village_staff(world, case.area_id), {"result": "已修好"})
    submit(world, title="锚定之后的新工单")
    assert list(iter_problems()) == []


@pytest.mark.django_db
def test_a_case_deleted_after_the_anchor_is_named(world):
    case = submit(world)
    keep = submit(world, title="留下的工单")
    anchor.create_anchor()
    CaseEvent.objects.filter(case=case).delete()
    Case.objects.filter(pk=case.pk).delete()
    problems = list(iter_problems())
    assert [(p.number, p.kind) for p in problems] == [(case.number, "anchor")]
    assert keep.number not in {p.number for p in problems}


@pytest.mark.django_db
def test_a_changed_anchor_log_is_caught(world):
    submit(world)
    anchor.create_anchor()
    submit(world, title="第二件")
    anchor.create_anchor()
    log = settings.ANCHOR_DIR / anchor.LOG_NAME
    lines = log.read_text().splitlines()
    first = json.loads(lines[0])
    first["root"] = "0" * 64
    log.write_text(json.dumps(first, sort_keys=True) + "\n" + lines[1] + "\n")
    details = [p.detail for p in iter_problems() if p.kind == "anchor"]
    assert any("签名无效" in d for d in details) and any("不相连" in d for d in details)
    with pytest.raises(CommandError):
        call_command("verify")


@pytest.mark.django_db
def test_a_key_readable_by_others_is_refused(world):
    anchor.create_anchor()
    settings.ANCHOR_KEY_PATH.chmod(0o644)
    with pytest.raises(anchor.AnchorError, match="chmod 600"):
        anchor.create_anchor()


@pytest.mark.django_db
def test_tick_anchors_once_a_day(world, capsys):
    submit(world)
    call_command("tick")
    assert "锚定#1" in capsys.readouterr().out
    call_command("tick")
    assert "锚定" not in capsys.readouterr().out
    assert anchor.anchor_if_due(timezone.now() + timedelta(hours=settings.ANCHOR_INTERVAL_HOURS, minutes=1)).seq == 2


@pytest.mark.django_db
def test_a_third_party_checks_a_case_against_the_published_root(world, capsys):
    cases = [submit(world, title=f"工单{i}") for i in range(5)]
    made = anchor.create_anchor()
    call_command("anchor", "--proof", cases[2].number)
    proof = json.loads(capsys.readouterr().out)
    assert proof["root"] == made.root and proof["head"] == [cases[2].number, 1, cases[2].last_hash]
    # What the third party does with the published root and the case's head as shown to the resident:
    assert anchor.root_from_proof(tuple(proof["head"]), proof["path"]) == made.root


heads_strategy = st.lists(st.tuples(st.text(min_size=1, max_size=8), st.integers(1, 50), st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)),
                          min_size=1, max_size=40, unique_by=lambda h: h[0])


@given(heads_strategy, st.data())
def test_every_inclusion_proof_rebuilds_the_root_and_any_change_moves_it(heads, data):
    heads = sorted(heads)
    root = anchor.merkle_root(heads)
    i = data.draw(st.integers(0, len(heads) - 1))
    assert anchor.root_from_proof(heads[i], anchor.inclusion_proof(heads, i)) == root
    number, count, last = heads[i]
    changed = heads[:i] + [(number, count + 1, last)] + heads[i + 1:]
    assert anchor.merkle_root(changed) != root
    assert anchor.merkle_root(heads[:-1]) != root or len(heads) == 1 and anchor.merkle_root([]) != root
