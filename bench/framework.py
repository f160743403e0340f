#!/usr/bin/env python3
"""Writes a cairn/1 framework file with N abilities (and a role and a
position per ten abilities) to standard output: the benchmark's import
of a large framework. Deterministic. With a second argument "next", the
framework's next version: every tenth ability's first summary reworded,
every 25th loses an example, ten abilities archived and ten added, every
fifth role's first requirement raised (the semantic diff's benchmark)."""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
nxt = len(sys.argv) > 2 and sys.argv[2] == "next"
out = ["format: cairn/1", "organization:", "  slug: bench-import", "  name: Bench Import",
       "  miles: [1, 3, 6, 12, 20]", "abilities:"]
# Archived in the next version: abilities no role or position requires.
archived = {i for i in range(n) if i % 10 == 8} if nxt else set()
archived = set(sorted(archived)[:10])
for i in [i for i in range(n) if i not in archived] + ([n + k for k in range(10)] if nxt else []):
    out += [f"  - slug: ability-{i}", f"    name: Ability {i}", f"    category: Category {i % 12}",
            "    description: |", f"      What ability {i} means, with **markdown** and a [link](https://example.com/{i}).",
            "    milestones:"]
    for level in range(1, 6):
        summary = f"Milestone {level} of ability {i}."
        if nxt and level == 1 and i % 10 == 0:
            summary = f"The first milestone of ability {i}, reworded."
        examples = 2 if nxt and level == 2 and i % 25 == 0 else 3
        out += [f"      - summary: {summary}", "        examples:"]
        out += [f"          - Example {e} of milestone {level} in ability {i}." for e in range(examples)]
out.append("roles:")
for r in range(n // 10):
    req = ", ".join(f"ability-{r * 10 + k}: {1 + k % 5 + (1 if nxt and k == 0 and r % 5 == 0 else 0)}"
                    for k in range(3))
    out += [f"  - slug: role-{r}", f"    name: Role {r}", f"    description: Role {r}.", f"    requires: {{ {req} }}"]
out.append("positions:")
for p in range(n // 10):
    out += [f"  - slug: position-{p}", f"    title: Position {p}", f'    level: "{p % 5 + 1}"',
            f"    description: Position {p}.", f"    roles: {{ required: [role-{p}], suggested: [] }}",
            f"    requires: {{ ability-{p * 10 + 5}: 2 }}"]
print("\n".join(out))
