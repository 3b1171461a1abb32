package bench

import (
	"syscall"
	"testing"
	"time"
)

// cpuClock reads the CPU time (user + system) the whole process has used.
// On a machine shared with other work, wall-clock ns/op mostly measures the
// neighbours; CPU time per op measures what the stack itself costs, client,
// server and exporter together.
func cpuClock() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time used since start, per op, as cpu-ns/op.
func reportCPU(b *testing.B, start time.Duration, ops int) {
	if ops <= 0 {
		return
	}
	b.ReportMetric(float64(cpuClock()-start)/float64(ops), "cpu-ns/op")
}
