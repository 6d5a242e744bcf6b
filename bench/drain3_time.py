"""Time Drain3 (logpai/Drain3, default config) on a file of raw lines; print one JSON object.

Driven by bench/drain3-compare.ts:  python3 bench/drain3_time.py <drain3 source dir> <lines file>...
Several files: one TemplateMiner per file (one stream each, as log_triage has one per container);
CPU and wall time and clusters are summed.
Drain3's default TemplateMinerConfig: depth 4, similarity 0.4, no masking instructions, no persistence.
"""
import json
import sys
import time

sys.path.insert(0, sys.argv[1])
from drain3 import TemplateMiner  # noqa: E402
from drain3.template_miner_config import TemplateMinerConfig  # noqa: E402

config = TemplateMinerConfig()
config.profiling_enabled = False
total = {"lines": 0, "cpu_s": 0.0, "wall_s": 0.0, "clusters": 0}
for path in sys.argv[2:]:
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    miner = TemplateMiner(config=config)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for line in lines:
        miner.add_log_message(line)
    total["cpu_s"] += time.process_time() - cpu0
    total["wall_s"] += time.perf_counter() - wall0
    total["lines"] += len(lines)
    total["clusters"] += len(miner.drain.clusters)
print(json.dumps(total))
