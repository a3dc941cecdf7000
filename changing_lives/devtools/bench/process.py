"""What a benchmark's measuring process reads about itself."""

from pathlib import Path


def peak_rss_kb() -> int:
    """This process's peak resident memory since it started (VmHWM), in kilobytes.

    Read by the process itself: the kernel's ru_maxrss for a child (wait4, or
    getrusage(RUSAGE_CHILDREN)) counts the parent's memory too when the child was forked
    from it, whatever the child then used."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("peak memory is read from /proc/self/status: Linux only")
