package main

import (
	"bufio"
	"bytes"
	"strings"
)

// meta is what a run of the suite says about itself besides its results:
// the CPU go test names and the benchmarks that skipped, each with the
// reason it printed.
type meta struct {
	cpu     string
	skipped []string
}

// skipMark starts the reason of every skip in the suite (testutil and
// test/bench spell it so that a skip is never mistaken for a pass).
const skipMark = "!!! SKIPPING "

// parseMeta reads meta from raw `go test -bench` output. A skip printed in
// every run of -count N is kept once.
func parseMeta(out []byte) meta {
	var m meta
	seen := make(map[string]bool)
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "cpu: "); ok && m.cpu == "" {
			m.cpu = strings.TrimSpace(v)
			continue
		}
		if _, reason, ok := strings.Cut(line, skipMark); ok && !seen[reason] {
			seen[reason] = true
			m.skipped = append(m.skipped, strings.TrimSpace(reason))
		}
	}
	return m
}
