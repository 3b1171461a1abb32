package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// machine describes where the suite ran, for the header of the generated
// results: the numbers mean little without it.
type machine struct {
	date    time.Time
	cpus    int
	memory  string // e.g. "23 GiB"
	kernel  string // e.g. "Linux 6.18.0"
	goVer   string // e.g. "go1.26.8 linux/amd64"
	load    string // the 1, 5 and 15 min load averages when summarize ran
	command string // how the results were produced
}

// thisMachine reads the machine summarize runs on, which `make bench`
// makes the one the suite ran on. What cannot be read is "unknown".
func thisMachine(now time.Time, command string) machine {
	return machine{
		date:    now.UTC(),
		cpus:    runtime.NumCPU(),
		memory:  memTotal("/proc/meminfo"),
		kernel:  "Linux " + firstField("/proc/sys/kernel/osrelease"),
		goVer:   runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		load:    loadAvg("/proc/loadavg"),
		command: command,
	}
}

// memTotal is MemTotal of a meminfo file in GiB.
func memTotal(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "MemTotal:" {
			if kb, err := strconv.ParseFloat(f[1], 64); err == nil {
				return fmt.Sprintf("%.0f GiB", kb/(1<<20))
			}
		}
	}
	return "unknown"
}

// loadAvg is the 1, 5 and 15 minute load averages of a loadavg file.
func loadAvg(path string) string {
	f := strings.Fields(firstLine(path))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func firstLine(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return line
}

func firstField(path string) string {
	if f := strings.Fields(firstLine(path)); len(f) > 0 {
		return f[0]
	}
	return "unknown"
}
