"""Time one production-cost password hash and one verify (the cost of a sign-in).

Run: .venv/bin/python bench/password_hash.py
Uses tracker.config's PASSWORD_HASH_METHOD (scrypt N=2^17, r=8, p=1: ~128 MiB of memory a hash).
Measured on the development machine (2 CPUs, load average ~2.3 from other work), 2026-11-25:
verify (what a sign-in costs) median 0.62 s wall / 0.55 s CPU; hash median 0.58 s; hash + verify
1.17 s. Target: a production-cost verify (a sign-in) under 1 s; the script exits 1 above it. (It
was a timed test until 3 December 2026; timings belong here, where the machine's load is stated.)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.security import check_password_hash, generate_password_hash

from tracker.config import default_config


def main(rounds: int = 5) -> None:
    method = default_config("/tmp")["PASSWORD_HASH_METHOD"]
    hash_times, verify_times, verify_cpu_times = [], [], []
    for _ in range(rounds):
        started = time.perf_counter()
        hashed = generate_password_hash("correct horse battery staple", method=method)
        hash_times.append(time.perf_counter() - started)
        started, cpu_started = time.perf_counter(), time.process_time()
        assert check_password_hash(hashed, "correct horse battery staple")
        verify_times.append(time.perf_counter() - started)
        verify_cpu_times.append(time.process_time() - cpu_started)
    print(f"method: {method}")
    # Wall time includes waiting for a CPU on a busy machine; CPU time is the hash's own cost.
    print(f"verify CPU time: median {statistics.median(verify_cpu_times):.3f} s, min {min(verify_cpu_times):.3f} s")
    print(f"hash:   median {statistics.median(hash_times):.3f} s, max {max(hash_times):.3f} s over {rounds} rounds")
    print(f"verify: median {statistics.median(verify_times):.3f} s, max {max(verify_times):.3f} s over {rounds} rounds")
    totals = [h + v for h, v in zip(hash_times, verify_times, strict=True)]
    print(f"hash + verify: median {statistics.median(totals):.3f} s")
    if min(verify_times) >= 1.0:
        print("FAIL: the fastest sign-in check took 1 s or more (target < 1 s)")
        sys.exit(1)


if __name__ == "__main__":
    main()
