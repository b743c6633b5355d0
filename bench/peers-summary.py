"""Summary of bench/peers.sh: lines "ROUND CONFIG JOBS_PER_SECOND IDLE_MB PEAK_MB [PG_CPU_US WAL_BYTES [WORKER_CPU_US]]"
in (the costs per job, "-" when not measured), medians and ratios out."""
import statistics
import sys
from collections import defaultdict

rate = defaultdict(dict)
idle = defaultdict(list)
peak = defaultdict(list)
cpu = defaultdict(list)
wal = defaultdict(list)
worker = defaultdict(list)
for line in open(sys.argv[1]):
    round_, config, jobs, idle_mb, peak_mb, *cost = line.split()
    rate[config][round_] = float(jobs)
    if len(cost) == 3:
        worker[config].append(float(cost[2]))
    if len(cost) >= 2:
        if cost[0] != "-":
            cpu[config].append(float(cost[0]))
        wal[config].append(float(cost[1]))
    if idle_mb != "-":
        idle[config].append(int(idle_mb))
    peak[config].append(int(peak_mb))

print("BENCH peers summary: jobs/s median (min - max); resident memory in MB; per job, medians: PostgreSQL's CPU and WAL, the worker's CPU")
for config, rounds in rate.items():
    values = list(rounds.values())
    memory = f"idle {min(idle[config])}-{max(idle[config])}, " if idle[config] else ""
    cost = ""
    if cpu[config]:
        cost += f"  CPU {statistics.median(cpu[config]):.1f} us"
    if wal[config]:
        cost += f"  WAL {statistics.median(wal[config]):.0f} B"
    if worker[config]:
        cost += f"  worker CPU {statistics.median(worker[config]):.1f} us"
    print(f"BENCH peers {config:22} {statistics.median(values):8.0f} ({min(values):.0f} - {max(values):.0f})"
          f"  {memory}peak {max(peak[config])}{cost}")


def ratio(label, numerator, denominator):
    if numerator not in rate or denominator not in rate:
        return
    values = [rate[numerator][r] / rate[denominator][r] for r in rate[numerator] if r in rate[denominator]]
    listed = " ".join(f"{v:.2f}" for v in values)
    print(f"BENCH peers ratio {label}: median {statistics.median(values):.2f} x, lowest {min(values):.2f} x (rounds: {listed})")


ratio("harrier-24 / graphile-24", "harrier-24", "graphile-24")
ratio("harrier-24 / pgboss-24", "harrier-24", "pgboss-24")
ratio("harrier-defaults / graphile-24", "harrier-defaults", "graphile-24")
ratio("harrier-defaults / harrier-24", "harrier-defaults", "harrier-24")
ratio("harrier-2000-limit50 / harrier-2000", "harrier-2000-limit50", "harrier-2000")
