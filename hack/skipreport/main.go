package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

const usage = `skipreport makes what go test skips seen.

Usage:
  go test -json ./... | skipreport run -o FILE [-v] [-strict] [-name NAME]
  skipreport summary [-strict] FILE...

run prints what go test would print, saves the events to FILE and fails
when a test, a package or a build failed. summary lists every skipped test
of the runs saved in FILEs, with its reason. -strict fails either when a
test of an end-to-end or systems package (under test/) skipped and ran in
no run: make passes it when running as root.
`

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// realMain is main without the exit, for tests.
func realMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "run":
		return runCmd(args[1:], stdin, stdout, stderr)
	case "summary":
		return summaryCmd(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "skipreport: unknown command %q (run or summary)\n\n%s", args[0], usage)
	return 2
}

func runCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("skipreport run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "save the go test -json events to `FILE` (required)")
	name := fs.String("name", "", "the run's name in reports (default: FILE's base name without .json)")
	verbose := fs.Bool("v", false, "print every output line, as go test -v")
	strict := fs.Bool("strict", false, "fail when an end-to-end or systems test skipped")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "skipreport run: -o FILE is required and nothing else (go test -json goes to stdin)")
		return 2
	}
	if *name == "" {
		*name = runName(*out)
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		fmt.Fprintf(stderr, "skipreport: %v\n", err)
		return 1
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintf(stderr, "skipreport: %v\n", err)
		return 1
	}
	c := newCollector(stdout, *verbose)
	readErr := readEvents(io.TeeReader(stdin, f), c.handle)
	results, err := c.finish()
	if cerr := f.Close(); cerr != nil {
		readErr = errors.Join(readErr, cerr)
	}
	code := 0
	for _, e := range []error{readErr, err} {
		if e != nil {
			fmt.Fprintf(stderr, "skipreport: %v\n", e)
			code = 1
		}
	}
	n := 0
	for _, r := range results {
		if r.Outcome == outcomeSkip {
			n++
		}
	}
	fmt.Fprintf(stdout, "skipreport: %d test(s) skipped in run %q; which and why: skipreport summary %s (make skip-summary)\n", n, *name, *out)
	if *strict && printViolations(stdout, violations(skips([]run{{*name, results}}))) {
		code = 1
	}
	if c.failed {
		code = 1
	}
	return code
}

func summaryCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("skipreport summary", flag.ContinueOnError)
	fs.SetOutput(stderr)
	strict := fs.Bool("strict", false, "fail when an end-to-end or systems test skipped and ran in no run")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "skipreport summary: name the files `skipreport run -o` saved")
		return 2
	}
	var runs []run
	for _, path := range fs.Args() {
		r, err := readRun(path)
		if err != nil {
			fmt.Fprintf(stderr, "skipreport: %v\n", err)
			return 1
		}
		runs = append(runs, r)
	}
	all := skips(runs)
	printSummary(stdout, runs, all)
	if *strict && printViolations(stdout, violations(all)) {
		return 1
	}
	return 0
}

// readRun reads a file saved by run. A run whose stream was cut still
// counts with what it has.
func readRun(path string) (run, error) {
	f, err := os.Open(path)
	if err != nil {
		return run{}, err
	}
	defer f.Close()
	c := newCollector(io.Discard, false)
	if err := readEvents(f, c.handle); err != nil {
		return run{}, fmt.Errorf("%s: %w", path, err)
	}
	results, _ := c.finish()
	return run{name: runName(path), results: results}, nil
}

// runName names a run after its file: bin/test/unit.json is "unit".
func runName(path string) string {
	return strings.TrimSuffix(filepath.Base(path), ".json")
}
