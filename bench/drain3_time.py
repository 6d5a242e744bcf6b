"""Time Drain3 (logpai/Drain3, default config) on a file of raw lines; print one JSON object.

Driven by bench/drain3-compare.ts:  python3 bench/drain3_time.py <drain3 source dir> <lines file>
Drain3's default TemplateMinerConfig: depth 4, similarity 0.4, no masking instructions, no persistence.
"""
import json
import sys
import time

sys.path.insert(0, sys.argv[1])
from drain3 import TemplateMiner  # noqa: E402
from drain3.template_miner_config import TemplateMinerConfig  # noqa: E402

with open(sys.argv[2], encoding="utf-8") as f:
    lines = f.read().split("\n")
if lines and lines[-1] == "":
    lines.pop()
config = TemplateMinerConfig()
config.profiling_enabled = False
miner = TemplateMiner(config=config)
cpu0, wall0 = time.process_time(), time.perf_counter()
for line in lines:
    miner.add_log_message(line)
cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
print(json.dumps({"lines": len(lines), "cpu_s": cpu, "wall_s": wall, "clusters": len(miner.drain.clusters)}))
