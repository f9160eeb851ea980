"""Wall-clock timing shared by the PyTorch bench scripts (run as bench/<script>.py, so this
module is importable from their folder)."""
import statistics
import time


def time_ms(fn, reps, warmup=2):
    """(median, min) wall time in ms of `reps` runs after `warmup` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), min(times)
