"""Idle-gap local search: simulated annealing with Kempe-chain and exchange moves.

Why not only CP-SAT: the LP relaxation of any idle-gap formulation is 0 (fractional meetings
spread over the day leave no fractional gap), so the solver's lower bound is useless and its
generic neighbourhoods improve a 78-person agenda by about one gap per second. Moves that know
the structure do much better; CP-SAT then polishes the result (phase 2 is hinted with it).

The state is a valid schedule of slot choices (tables are numbered at the end). Moves keep it
valid and never lower the placed weight:

- **Kempe chain** (from edge colouring): take a meeting in slot s and a slot t; the meetings in
  s or t linked through shared participants form a path or cycle; swapping s and t along it keeps
  everybody in at most one meeting per slot. It is applied if every meeting of the chain is
  unlocked and available in its new slot and both slots keep at most ``tables`` meetings. A
  single meeting whose two sides are free in t is a plain move.
- **Exchange**: put an unscheduled meeting u into a slot t, taking out the meetings of its two
  sides in t (and, if t is full, one more meeting of t) when their weight is at most u's (plus
  the slack above the weight to keep) and caps allow.

Only the agendas of participants whose busy slots change are re-counted (bitmasks).
Acceptance: lower weight never; higher weight always (lexicographic objective); equal weight
with the Metropolis rule on the idle-gap change, temperature decreasing geometrically with time.
"""

from __future__ import annotations

import math
import random
import time

from .instance import Instance

CHAIN_LIMIT = 64


def _gaps(busy: int, avail: int) -> int:
    if busy & (busy - 1) == 0:  # zero or one meeting
        return 0
    low = (busy & -busy).bit_length() - 1
    high = busy.bit_length() - 1
    return (avail & ((1 << (high + 1)) - (1 << low))).bit_count() - busy.bit_count()


def improve_gaps(
    instance: Instance, placement: dict[int, int], weights: list[int], *, time_limit: float, seed: int = 0
) -> dict[int, int]:
    """A placement with at least the weight of ``placement`` and (usually far) fewer idle gaps."""
    deadline = time.perf_counter() + time_limit
    rng = random.Random(seed)
    meetings = instance.meetings
    n_slots = len(instance.slots)
    tables = instance.tables
    ma = [m.a for m in meetings]
    mb = [m.b for m in meetings]
    locked = [m.locked for m in meetings]
    options = [m.options for m in meetings]
    optmask = [sum(1 << s for s in m.options) for m in meetings]
    avail = [sum(1 << s for s in p.available) for p in instance.participants]
    cap = [p.max_meetings if p.max_meetings is not None else n_slots for p in instance.participants]

    slot_of = [-1] * len(meetings)
    at = [[-1] * n_slots for _p in instance.participants]
    busy = [0] * len(instance.participants)
    count = [0] * len(instance.participants)
    load = [0] * n_slots
    members: list[list[int]] = [[] for _s in range(n_slots)]
    member_pos = [-1] * len(meetings)
    unplaced: list[int] = []
    unplaced_pos = [-1] * len(meetings)

    def add(m: int, s: int) -> None:
        slot_of[m] = s
        for p in (ma[m], mb[m]):
            at[p][s] = m
            busy[p] |= 1 << s
            count[p] += 1
        load[s] += 1
        member_pos[m] = len(members[s])
        members[s].append(m)

    def remove(m: int) -> None:
        s = slot_of[m]
        slot_of[m] = -1
        for p in (ma[m], mb[m]):
            at[p][s] = -1
            busy[p] &= ~(1 << s)
            count[p] -= 1
        load[s] -= 1
        i, last = member_pos[m], members[s][-1]
        members[s][i] = last
        member_pos[last] = i
        members[s].pop()

    def unplace_add(m: int) -> None:
        unplaced_pos[m] = len(unplaced)
        unplaced.append(m)

    def unplace_remove(m: int) -> None:
        i, last = unplaced_pos[m], unplaced[-1]
        unplaced[i] = last
        unplaced_pos[last] = i
        unplaced.pop()

    for m, s in placement.items():
        add(m, s)
    for m in range(len(meetings)):
        if slot_of[m] == -1 and not locked[m]:
            unplace_add(m)
    gaps = [_gaps(b, a) for b, a in zip(busy, avail, strict=True)]
    total = sum(gaps)
    weight = sum(weights[m] for m in placement)
    best_total, best_weight, best = total, weight, dict(placement)
    placed_list = [m for m in range(len(meetings)) if slot_of[m] != -1 and not locked[m]]
    if not placed_list and not unplaced:
        return best
    people_with_gaps = [p for p in range(len(busy)) if gaps[p] > 0]

    began = time.perf_counter()
    span = max(1e-3, deadline - began)
    temp_start, temp_end = 1.5, 0.05
    temp = temp_start
    iteration = 0
    while True:
        iteration += 1
        if iteration % 256 == 0:
            # Snapshot at checkpoints only: copying the state on every improvement costs too much.
            if weight > best_weight or (weight == best_weight and total < best_total):
                best_weight, best_total = weight, total
                best = {m: s for m, s in enumerate(slot_of) if s != -1}
            now = time.perf_counter()
            if now >= deadline or (best_total == 0 and not unplaced):
                break
            temp = temp_start * (temp_end / temp_start) ** ((now - began) / span)
            if iteration % 8192 == 0:
                people_with_gaps = [p for p in range(len(busy)) if gaps[p] > 0] or people_with_gaps
                placed_list = [m for m in range(len(meetings)) if slot_of[m] != -1 and not locked[m]]
        if unplaced and rng.random() < 0.3:
            # --- exchange: an unscheduled meeting into a slot
            u = unplaced[rng.randrange(len(unplaced))]
            t = options[u][rng.randrange(len(options[u]))]
            a, b = ma[u], mb[u]
            out = {x for x in (at[a][t], at[b][t]) if x != -1}
            if any(locked[x] for x in out):
                continue
            if load[t] - len(out) + 1 > tables:
                cands = members[t]
                x = cands[rng.randrange(len(cands))]
                if locked[x] or x in out:
                    continue
                out.add(x)
            lost = sum(weights[x] for x in out)
            new_weight = weight - lost + weights[u]
            if new_weight < weight:
                continue
            if any(count[p] - sum(1 for x in out if p in (ma[x], mb[x])) + 1 > cap[p] for p in (a, b)):
                continue
            changed: dict[int, int] = {}
            for x in out:
                for p in (ma[x], mb[x]):
                    changed[p] = changed.get(p, busy[p]) & ~(1 << t)
            for p in (a, b):
                changed[p] = changed.get(p, busy[p]) | (1 << t)
            delta = sum(_gaps(nb, avail[p]) - gaps[p] for p, nb in changed.items())
            if new_weight == weight and delta > 0 and rng.random() >= math.exp(-delta / temp):
                continue
            for x in out:
                remove(x)
                unplace_add(x)
            unplace_remove(u)
            add(u, t)
            weight = new_weight
        else:
            # --- Kempe chain between the slot of m and a slot t
            if people_with_gaps and rng.random() < 0.5:
                p = people_with_gaps[rng.randrange(len(people_with_gaps))]
                mine = [x for x in at[p] if x != -1 and not locked[x]]
                if not mine:
                    continue
                m = mine[rng.randrange(len(mine))]
            else:
                m = placed_list[rng.randrange(len(placed_list))] if placed_list else -1
                if m == -1 or slot_of[m] == -1:
                    continue
            s = slot_of[m]
            if s == -1 or len(options[m]) < 2:
                continue
            t = options[m][rng.randrange(len(options[m]))]
            if t == s:
                continue
            chain = [m]
            seen = {m}
            ok = True
            i = 0
            while i < len(chain):
                e = chain[i]
                i += 1
                v = t if slot_of[e] == s else s
                if locked[e] or not optmask[e] >> v & 1:
                    ok = False
                    break
                for p in (ma[e], mb[e]):
                    f = at[p][v]
                    if f != -1 and f not in seen:
                        seen.add(f)
                        chain.append(f)
                if len(chain) > CHAIN_LIMIT:
                    ok = False
                    break
            if not ok:
                continue
            to_t = sum(1 for e in chain if slot_of[e] == s)
            to_s = len(chain) - to_t
            if load[t] + to_t - to_s > tables or load[s] + to_s - to_t > tables:
                continue
            bit_s, bit_t = 1 << s, 1 << t
            both = bit_s | bit_t
            changed = {}
            for e in chain:
                for p in (ma[e], mb[e]):
                    if p not in changed:
                        bp = busy[p]
                        pair = bp & both
                        changed[p] = bp if pair == both else bp ^ both  # swaps s <-> t in p's agenda
            delta = sum(_gaps(nb, avail[p]) - gaps[p] for p, nb in changed.items() if nb != busy[p])
            if delta > 0 and rng.random() >= math.exp(-delta / temp):
                continue
            moves = [(e, t if slot_of[e] == s else s) for e in chain]
            for e, _v in moves:
                remove(e)
            for e, v in moves:
                add(e, v)
        for p in changed:
            g = _gaps(busy[p], avail[p])
            total += g - gaps[p]
            gaps[p] = g
    if weight > best_weight or (weight == best_weight and total < best_total):
        best = {m: s for m, s in enumerate(slot_of) if s != -1}
    return best
