#!/usr/bin/env python3
"""Turns bench/run's raw rows into the report: per backend a table of
medians over rounds (req/s, p50, p99, server CPU per request, errors,
ratio to the baseline of the same round), the scaling of each page's cost
from the smallest to the largest dataset, the other figures, and one PASS
or FAIL line per budget of issue 14."""
import statistics
import sys
from collections import defaultdict

results, facts_path, obs, orgs, members, conns, rounds, secs, commit = sys.argv[1:10]
obs = int(obs)
conns = int(conns)


def ms(v):
    if not v:
        return float("nan")
    for unit, f in (("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60000.0)):
        if v.endswith(unit):
            return float(v[: -len(unit)]) * f
    return float(v)


rows = []
for line in open(results):
    b, size, rnd, page, c, rps, p50, p99, reqs, cpu_us, errs = line.rstrip("\n").split("\t")
    rows.append(dict(backend=b, size=int(size), round=int(rnd), page=page, conns=int(c),
                     rps=float(rps or 0), p50=ms(p50), p99=ms(p99), reqs=int(reqs or 0),
                     cpu=int(cpu_us) / max(int(reqs or 0), 1), errs=int(errs or 0)))
facts = dict(line.rstrip("\n").split("\t", 1) for line in open(facts_path) if "\t" in line)

loaded = [r for r in rows if r["conns"] == conns]
base = {(r["backend"], r["size"], r["round"]): r["rps"] for r in loaded if r["page"] == "baseline"}
for r in loaded:
    r["ratio"] = r["rps"] / base[(r["backend"], r["size"], r["round"])] if base.get((r["backend"], r["size"], r["round"])) else 0.0

pages = []
for r in rows:
    if r["page"] not in pages:
        pages.append(r["page"])
med = statistics.median


def summary(backend, size):
    out = {}
    for page in pages:
        rs = [r for r in loaded if (r["backend"], r["size"], r["page"]) == (backend, size, page)]
        if rs:
            out[page] = dict(rps=med(x["rps"] for x in rs), p50=med(x["p50"] for x in rs), p99=med(x["p99"] for x in rs),
                             cpu=med(x["cpu"] for x in rs), errs=sum(x["errs"] for x in rs), ratio=med(x["ratio"] for x in rs))
    return out


print(f"cairn benchmark, commit {commit}: {orgs} orgs / {members} members / {obs} observations; "
      f"{conns} connections, {rounds} rounds x {secs} s; ratios against the baseline of the same round")
backends = [b for b in ["sqlite", "postgres"] if any(r["backend"] == b for r in rows)]
main = {}
for b in backends:
    s = summary(b, obs)
    main[b] = s
    print(f"\n{b}, {obs} observations")
    print(f"{'page':16} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'cpu us/req':>10} {'errors':>7} {'ratio':>7}")
    for page, v in s.items():
        print(f"{page:16} {v['rps']:9.0f} {v['p50']:8.2f} {v['p99']:8.2f} {v['cpu']:10.0f} {v['errs']:7d} {v['ratio']:7.4f}")
    single = [r for r in rows if r["backend"] == b and r["conns"] == 1]
    for r in single:
        print(f"one connection, {r['page']}: p50 {r['p50']:.2f} ms, {r['rps']:.0f} req/s")
    key = f"{b}-{obs}"
    seeding = (f"seeding {int(facts['seed_ms:' + key]) / 1000:.1f} s" if 'seed_ms:' + key in facts
               else "dataset reused")
    print(f"peak anonymous RSS (RssAnon) {int(facts.get('anon_kib:' + key, 0)) // 1024} MiB, "
          f"peak RSS with mapped database pages (VmHWM) {int(facts.get('rss_kib:' + key, 0)) // 1024} MiB; "
          f"start to first answer {facts.get('first_answer_ms:' + key, '?')} ms; {seeding}")

sizes = sorted({r["size"] for r in rows if r["backend"] == "sqlite"})
scaling = {}
if len(sizes) > 1:
    print("\nscaling on SQLite: server CPU us per request (one round each at the smaller sizes)")
    print(f"{'page':16} " + " ".join(f"{s:>10}" for s in sizes) + f" {'largest/smallest':>17}")
    per = {s: summary("sqlite", s) for s in sizes}
    for page in pages:
        if page == "baseline" or not all(page in per[s] for s in sizes):
            continue
        costs = [per[s][page]["cpu"] for s in sizes]
        scaling[page] = costs[-1] / costs[0] if costs[0] else float("inf")
        print(f"{page:16} " + " ".join(f"{c:10.0f}" for c in costs) + f" {scaling[page]:17.2f}")

alt = summary("sqlite-sqlx", obs)
if alt and "sqlite" in main:
    print("\nSQLite hot reads through rusqlite (as served) against sqlx's driver, same dataset, same run:")
    for page, v in alt.items():
        if page == "baseline" or page not in main["sqlite"]:
            continue
        r = main["sqlite"][page]
        print(f"{page:16} rusqlite {r['rps']:7.0f} req/s ({r['cpu']:5.0f} us/req), sqlx {v['rps']:7.0f} req/s "
              f"({v['cpu']:5.0f} us/req): {r['ratio'] / v['ratio'] if v['ratio'] else 0:.2f}x")

one = [r for r in rows if r["backend"] == "postgres-one" and r["page"] == "ability-public"]
via = [r for r in rows if r["backend"] == "postgres-proxy" and r["page"] == "ability-public"]
if one and via:
    a, b = med(r["rps"] for r in one), med(r["rps"] for r in via)
    print(f"\npublic ability page on PostgreSQL: one server alone {a:.0f} req/s; three servers behind nginx {b:.0f} req/s "
          f"(scaling factor {b / a if a else 0:.2f} on this 2-core machine, where the servers, PostgreSQL, nginx and wrk share the cores)")
elif facts.get("proxy") == "skipped":
    print("\nnginx is not installed: the three-server run was skipped")

print(f"\nimport of a 1,000-ability framework: {facts.get('import_ms', '?')} ms; whole run {facts.get('total_s', '?')} s")
print(f"diff of that framework against its next version (180 changes): the page /bench-import/changes/1...2 "
      f"costs {facts.get('diff_page_cpu_ms', '?')} ms CPU per render (static baseline {facts.get('diff_baseline_cpu_ms', '?')} ms "
      f"in the same run; answered {facts.get('diff_page_status', '?')}); `cairn diff` on the two files "
      f"{facts.get('diff_cli_cpu_ms', '?')} ms CPU for the whole process")
if facts.get("postgres") == "skipped":
    print("PostgreSQL: not installed here, skipped")

print()
lines = []


def budget(ok, text):
    lines.append(("PASS " if ok else "FAIL ") + text)


for b, s in main.items():
    if "ability-public" in s:
        v = s["ability-public"]
        budget(v["ratio"] >= 0.10, f"{b}: public ability page >= 10% of baseline req/s (got {v['ratio'] * 100:.1f}%)")
        budget(v["p99"] <= 50, f"{b}: public ability page p99 <= 50 ms (got {v['p99']:.1f})")
    for page in ("ability-member", "overview", "health"):
        if page in s:
            v = s[page]
            budget(v["ratio"] >= 0.08, f"{b}: {page} >= 8% of baseline req/s (got {v['ratio'] * 100:.1f}%)")
    for page in ("journey", "observations", "members", "observation-form"):
        if page in s:
            v = s[page]
            budget(v["ratio"] >= 0.05, f"{b}: {page} >= 5% of baseline req/s (got {v['ratio'] * 100:.1f}%)")
    for page in ("journey", "observations"):
        if page in s:
            budget(s[page]["p99"] <= 80, f"{b}: {page} p99 <= 80 ms (got {s[page]['p99']:.1f})")
    if "insights" in s:
        # Issue 22: the largest organization's insights page (200,000
        # observations at the reference size) at most 50 ms of CPU.
        v = s["insights"]
        budget(v["cpu"] <= 50_000, f"{b}: insights page <= 50 ms CPU per request (got {v['cpu'] / 1000:.1f} ms)")
    if "publish" in s and b == "sqlite":
        v = s["publish"]
        budget(v["rps"] >= 400, f"{b}: publishing >= 400 req/s with synchronous = FULL (got {v['rps']:.0f})")
        budget(v["p99"] <= 300, f"{b}: publishing p99 <= 300 ms (got {v['p99']:.1f})")
    one = [r for r in rows if r["backend"] == b and r["conns"] == 1 and r["page"] == "ability-public"]
    if one:
        budget(one[0]["p50"] <= 1, f"{b}: one connection, ability page p50 <= 1 ms (got {one[0]['p50']:.2f})")
    anon = int(facts.get(f"anon_kib:{b}-{obs}", 0)) // 1024
    budget(0 < anon <= 150, f"{b}: peak anonymous RSS <= 150 MiB (got {anon})")
    first = int(facts.get(f"first_answer_ms:{b}-{obs}", 10**9))
    budget(first <= 300, f"{b}: start to first answer <= 300 ms (got {first})")
    errs = sum(v["errs"] for v in s.values())
    budget(errs == 0, f"{b}: no errors or non-2xx answers (got {errs})")
for page, f in scaling.items():
    budget(f <= 1.5, f"sqlite: {page} cost at {sizes[-1]} <= 1.5 x cost at {sizes[0]} (got {f:.2f})")
imp = int(facts.get("import_ms", 10**9))
budget(imp <= 2000, f"1,000-ability import <= 2 s (got {imp} ms)")
dcpu = float(facts.get("diff_page_cpu_ms", 10**9))
budget(dcpu <= 200 and facts.get("diff_page_status") == "200",
       f"diff page of a 1,000-ability framework <= 200 ms CPU (got {dcpu} ms, status {facts.get('diff_page_status', '?')})")
print("\n".join(lines))
