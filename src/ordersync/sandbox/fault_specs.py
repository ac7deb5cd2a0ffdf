"""Reading whole fault plans: ``"ok,503,timeout_after_apply"`` (a script, ``cycle`` to
repeat), ``"500:0.1,timeout_after_apply:0.05,seed=7"`` (seeded random draws), a list of
tokens, or a TOML table; any of them with the idempotency settings ``replay_errors=no``,
``key_reuse=replay`` and ``idempotency=ignore``.  Every problem is reported at once in a
``FaultPlanError`` with its key path.  Single tokens and ``FaultPlan`` itself are in
``faults.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from ordersync.sandbox.faults import Fault, FaultPlan, FaultPlanError, parse_fault
from ordersync.sandbox.idempotency import IdempotencyPolicy, KeyReuse


def parse_fault_plan(spec: str | Sequence[str] | Mapping[str, Any] | None, *,
                     source: str = "faults") -> FaultPlan:
    """Read a fault plan, reporting every problem at once as a ``FaultPlanError``.

    - ``None``, ``""`` or ``"none"``: no faults.
    - a string of comma-separated tokens: a script (``"ok,500,timeout_after_apply"``,
      add ``cycle`` to repeat it), or, when every token has a rate, random draws
      (``"500:0.1,timeout_after_apply:0.05,seed=7"``).
    - a list of tokens: a script.
    - a table: ``{script = [...], cycle = false}`` or ``{rates = {"500" = 0.1}, seed = 7}``.
    """
    if spec is None or (isinstance(spec, str) and spec.strip().lower() in ("", "none")):
        return FaultPlan.none()
    problems: list[str] = []
    settings: dict[str, Any] = {}
    if isinstance(spec, str):
        items = [i.strip() for i in split_spec(spec) if i.strip()]
        settings = {name: value for name, value in (setting_token(i) for i in items) if name}
        rest = ",".join(i for i in items if not setting_token(i)[0])
        policy = _policy(settings, source, problems)
        if rest or not settings:
            plan = _parse_string(rest, source, problems)
        elif problems:
            raise FaultPlanError(source, problems)
        else:
            plan = FaultPlan.none()
    elif isinstance(spec, Mapping):
        settings = {k: v for k, v in spec.items() if k in SETTINGS}
        policy = _policy(settings, source, problems)
        plan = _parse_table({k: v for k, v in spec.items() if k not in SETTINGS}, source,
                            problems)
    else:
        policy = IdempotencyPolicy()
        plan = _script_plan(list(spec), False, source, f"{source}[{{}}]")
    plan.idempotency = policy
    plan.new_column_ids = str(settings.get("column_ids", "keep")).lower() == "new"
    return plan


SETTINGS = ("replay_errors", "key_reuse", "idempotency", "column_ids")
_YES, _NO = ("yes", "true", "on", "1"), ("no", "false", "off", "0")


def setting_token(item: str) -> tuple[str, str]:
    """``("replay_errors", "no")`` for a settings token, ``("", "")`` for anything else."""
    name, equals, value = item.partition("=")
    name = name.strip().lower()
    return (name, value.strip()) if equals and name in SETTINGS else ("", "")


def _policy(found: Mapping[str, Any], source: str, problems: list[str]) -> IdempotencyPolicy:
    """The idempotency settings; a bad value is one more problem (the default is kept)."""
    policy = IdempotencyPolicy()
    replay = found.get("replay_errors")
    if replay is not None:
        text = str(replay).lower()
        if isinstance(replay, bool) or text in _YES + _NO:
            policy = replace(policy, replay_errors=replay if isinstance(replay, bool)
                             else text in _YES)
        else:
            problems.append(f"{source}.replay_errors: must be yes or no, got {replay!r}")
    ids = found.get("column_ids")
    if ids is not None and str(ids).lower() not in ("keep", "new"):
        problems.append(f"{source}.column_ids: must be keep or new, got {ids!r}")
    keys = found.get("idempotency")
    if keys is not None:
        if str(keys).lower() in ("honour", "honor", "ignore"):
            policy = replace(policy, honour_keys=str(keys).lower() != "ignore")
        else:
            problems.append(f"{source}.idempotency: must be honour or ignore, got {keys!r}")
    reuse = found.get("key_reuse")
    if reuse is not None:
        try:
            policy = replace(policy, key_reuse=KeyReuse(str(reuse).lower()))
        except ValueError:
            problems.append(f"{source}.key_reuse: must be reject or replay, got {reuse!r}")
    return policy


def _parse_string(spec: str, source: str, problems: list[str]) -> FaultPlan:
    items = [i.strip() for i in split_spec(spec) if i.strip()]
    seeds = [i for i in items if i.replace(" ", "").lower().startswith("seed=")]
    cycle = any(i.lower() == "cycle" for i in items)
    steps = [i for i in items if i not in seeds and i.lower() != "cycle"]
    rated = [i for i in steps if ":" in i]
    if not rated:
        if seeds:
            problems.append(f"{source}: a seed only applies to rates ('500:0.1,seed=7')")
        return _script_plan(steps, cycle, source, f"{source}: item {{}}", problems)
    if len(rated) != len(steps):
        problems.append(f"{source}: mix of scripted and rated faults "
                        f"(give every fault a rate, or none): {spec!r}")
    if cycle:
        problems.append(f"{source}: 'cycle' only applies to a script")
    rates: dict[str, Any] = {}
    for item in rated:
        token, _, rate = item.rpartition(":")
        rates[token.strip()] = rate.strip()
    seed: Any = seeds[-1].split("=", 1)[1].strip() if seeds else 0
    return _random_plan(rates, seed, source, problems)


def _parse_table(spec: Mapping[str, Any], source: str, problems: list[str]) -> FaultPlan:
    problems.extend(f"{source}.{k}: unknown key (expected script and cycle, or rates and "
                    f"seed; and {' or '.join(SETTINGS)})"
                    for k in spec if k not in ("script", "cycle", "rates", "seed"))
    if "script" in spec and "rates" in spec:
        problems.append(f"{source}: give either script or rates, not both")
    if "rates" in spec:
        if "cycle" in spec:
            problems.append(f"{source}.cycle: only applies to a script")
        rates = spec["rates"]
        if not isinstance(rates, Mapping):
            raise FaultPlanError(source, [*problems, f"{source}.rates: must be a table of "
                                          "fault = rate"])
        return _random_plan(dict(rates), spec.get("seed", 0), source, problems)
    if "seed" in spec:
        problems.append(f"{source}.seed: only applies to rates")
    script = spec.get("script", [])
    cycle = spec.get("cycle", False)
    if not isinstance(cycle, bool):
        problems.append(f"{source}.cycle: must be true or false, got {cycle!r}")
        cycle = False
    if isinstance(script, str) or not isinstance(script, Sequence):
        raise FaultPlanError(source, [*problems, f"{source}.script: must be a list of faults"])
    return _script_plan(list(script), cycle, source, f"{source}.script[{{}}]", problems)


def _script_plan(steps: list[Any], cycle: bool, source: str, where: str,
                 problems: list[str] | None = None) -> FaultPlan:
    problems = list(problems or [])
    faults: list[Fault | None] = []
    for index, step in enumerate(steps):
        try:
            if not isinstance(step, str):
                raise ValueError(f"must be a fault token, got {step!r}")
            faults.append(parse_fault(step))
        except ValueError as exc:
            problems.append(f"{where.format(index)}: {exc}")
    if problems:
        raise FaultPlanError(source, problems)
    return FaultPlan.scripted(faults, cycle=cycle)


def _random_plan(rates: dict[str, Any], seed: Any, source: str,
                 problems: list[str]) -> FaultPlan:
    parsed: list[tuple[Fault | None, float]] = []
    for token, raw in rates.items():
        where = f"{source}.rates.{token}"
        try:
            fault = parse_fault(str(token))
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        try:
            rate = float(raw)
        except (TypeError, ValueError):
            problems.append(f"{where}: rate must be a number, got {raw!r}")
            continue
        if not 0 <= rate <= 1:
            problems.append(f"{where}: rate must lie between 0 and 1, got {raw!r}")
            continue
        parsed.append((fault, rate))
    total = sum(r for _, r in parsed)
    if total > 1 + 1e-9:
        problems.append(f"{source}.rates: rates sum to {total:g}; they must sum to at most 1")
    try:
        seed_value = int(seed)
        if isinstance(seed, bool) or (isinstance(seed, float) and not seed.is_integer()):
            raise ValueError
    except (TypeError, ValueError):
        problems.append(f"{source}.seed: must be a whole number, got {seed!r}")
        seed_value = 0
    if problems:
        raise FaultPlanError(source, problems)
    return FaultPlan(rates=parsed, seed=seed_value, mode="random")


def split_spec(spec: str) -> list[str]:
    """Split on commas outside brackets: ``"429(daily,5),ok"`` → two items."""
    items: list[str] = []
    current: list[str] = []
    depth = 0
    for char in spec:
        if char == "," and depth == 0:
            items.append("".join(current))
            current = []
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        current.append(char)
    items.append("".join(current))
    return items
