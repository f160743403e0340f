#!/usr/bin/env python3
"""Writes a cairn/1 framework file with N abilities (and a role and a
position per ten abilities) to standard output: the benchmark's import
of a large framework. Deterministic."""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
out = ["format: cairn/1", "organization:", "  slug: bench-import", "  name: Bench Import",
       "  miles: [1, 3, 6, 12, 20]", "abilities:"]
for i in range(n):
    out += [f"  - slug: ability-{i}", f"    name: Ability {i}", f"    category: Category {i % 12}",
            "    description: |", f"      What ability {i} means, with **markdown** and a [link](https://example.com/{i}).",
            "    milestones:"]
    for level in range(1, 6):
        out += [f"      - summary: Milestone {level} of ability {i}.", "        examples:"]
        out += [f"          - Example {e} of milestone {level} in ability {i}." for e in range(3)]
out.append("roles:")
for r in range(n // 10):
    req = ", ".join(f"ability-{r * 10 + k}: {1 + k % 5}" for k in range(3))
    out += [f"  - slug: role-{r}", f"    name: Role {r}", f"    description: Role {r}.", f"    requires: {{ {req} }}"]
out.append("positions:")
for p in range(n // 10):
    out += [f"  - slug: position-{p}", f"    title: Position {p}", f'    level: "{p % 5 + 1}"',
            f"    description: Position {p}.", f"    roles: {{ required: [role-{p}], suggested: [] }}",
            f"    requires: {{ ability-{p * 10 + 5}: 2 }}"]
print("\n".join(out))
