package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// event is one line of `go test -json` (cmd/test2json's TestEvent, plus the
// build events go test adds).
type event struct {
	Action      string
	Package     string
	Test        string
	Output      string
	ImportPath  string // build-output and build-fail
	FailedBuild string
}

// Outcomes of a test in one run. A benchmark that ran has no event of its
// own to end it: it is "ran".
const (
	outcomePass = "pass"
	outcomeFail = "fail"
	outcomeSkip = "skip"
	outcomeRan  = "ran"
)

// result is what became of one test in one run.
type result struct {
	Package, Test string
	Outcome       string
	// Reason is the last thing the test logged before it skipped, and
	// Where the file and line that logged it; both empty otherwise.
	Reason, Where string
}

// logEntry matches the first line of a t.Log/t.Skip entry as test2json
// passes it on: four spaces, file:line, the message. Continuation lines are
// indented by eight.
var logEntry = regexp.MustCompile(`^ {4}(\S+\.go:\d+): (.*)$`)

// skipReason returns the last log entry of lines (a skipped test's output),
// its lines joined by newlines, and where it was logged.
func skipReason(lines []string) (reason, where string) {
	var entry []string
	for _, l := range lines {
		l = strings.TrimRight(l, "\n")
		if m := logEntry.FindStringSubmatch(l); m != nil {
			entry, where = []string{m[2]}, m[1]
			continue
		}
		if entry != nil && strings.HasPrefix(l, "        ") {
			entry = append(entry, strings.TrimSpace(l))
		}
	}
	if entry == nil {
		return "(no reason given: the test called SkipNow or Skip without a message)", ""
	}
	return strings.Join(entry, "\n"), where
}

// readEvents calls fn for each event of r, in order. A line that is not a
// JSON event (a message go itself printed) is handed over as an event with
// Action "text".
func readEvents(r io.Reader, fn func(event)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		var ev event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &ev) != nil || ev.Action == "" {
			fn(event{Action: "text", Output: string(line) + "\n"})
			continue
		}
		fn(ev)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading go test -json output: %w", err)
	}
	return nil
}
