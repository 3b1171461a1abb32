package bench

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// TestProcCPU checks the per-process CPU readings the benchmarks report:
// after this process burns some CPU, procCPU (schedstat, nanoseconds) must
// agree with getrusage, which the kernel keeps for the whole process, and
// with procStatCPU (/proc/PID/stat, 10 ms ticks) within a tick or two.
func TestProcCPU(t *testing.T) {
	pid := os.Getpid()
	before, err := procCPU(pid)
	if err != nil {
		t.Fatal(err)
	}
	const burn = 200 * time.Millisecond
	spin(burn)
	sched, err := procCPU(pid)
	if err != nil {
		t.Fatal(err)
	}
	stat, err := procStatCPU(pid)
	if err != nil {
		t.Fatal(err)
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	rusage := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	if got := sched - before; got < burn*9/10 {
		t.Errorf("procCPU grew by %v while the test spun for %v of CPU", got, burn)
	}
	// Threads that exited are in getrusage's and stat's sums, not in
	// procCPU's; a test binary loses a few ms that way at most.
	near := func(a, b time.Duration, slack time.Duration) bool { return a-b < slack && b-a < slack }
	if !near(sched, rusage, 20*time.Millisecond+rusage/50) {
		t.Errorf("procCPU = %v, getrusage = %v: more than 20ms + 2%% apart", sched, rusage)
	}
	if !near(sched, stat, 30*time.Millisecond+stat/50) {
		t.Errorf("procCPU = %v, /proc/PID/stat = %v: more than 3 ticks + 2%% apart", sched, stat)
	}
	rss, err := procRSS(pid)
	if err != nil {
		t.Fatal(err)
	}
	if rss < 1<<20 || rss > 1<<34 {
		t.Errorf("procRSS = %d bytes, not the size of a Go test binary", rss)
	}
	if _, err := procCPU(1 << 30); err == nil {
		t.Errorf("procCPU of a pid that does not exist: no error")
	}
}

// spin uses about d of CPU time (the whole process's, by getrusage).
func spin(d time.Duration) {
	cpu := func() time.Duration {
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	end := cpu() + d
	x := 1
	for cpu() < end {
		for i := range 10000 {
			x = x*31 + i
		}
	}
	sink = x
}

var sink int
