package main

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// results holds every sample of every metric, by benchmark name (without
// the "Benchmark" prefix and the -GOMAXPROCS suffix) and unit.
type results map[string]map[string][]float64

// unitIterations is the pseudo-unit under which a line's iteration count
// is kept.
const unitIterations = "iterations"

// procsSuffix is the -N that go test appends for GOMAXPROCS.
var procsSuffix = regexp.MustCompile(`-\d+$`)

// parse reads `go test -bench` output. It returns an error only when r
// fails; malformed result lines are skipped.
func parse(r io.Reader, into results) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		name, metrics, ok := parseLine(sc.Text())
		if !ok {
			continue
		}
		if into[name] == nil {
			into[name] = make(map[string][]float64)
		}
		for unit, v := range metrics {
			into[name][unit] = append(into[name][unit], v)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading benchmark output: %w", err)
	}
	return nil
}

// parseLine parses one result line: name, iterations, then value-unit
// pairs.
func parseLine(line string) (string, map[string]float64, bool) {
	f := strings.Fields(line)
	if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
		return "", nil, false
	}
	n, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return "", nil, false
	}
	metrics := make(map[string]float64, 1+(len(f)-2)/2)
	metrics[unitIterations] = float64(n)
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return "", nil, false
		}
		metrics[f[i+1]] = v
	}
	name := procsSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
	return name, metrics, true
}
