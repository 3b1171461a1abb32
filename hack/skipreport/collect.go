package main

import (
	"fmt"
	"io"
	"regexp"
	"strings"
)

// collector follows one `go test -json` stream: it records each test's
// outcome and prints what go test would print to out.
type collector struct {
	out     io.Writer
	verbose bool // print every output line, as go test -v does

	pkgs    map[string]*pkgState
	order   []string // packages in the order they started
	results []result
	failed  bool // a test, package or build failed
}

// pkgState is one package's part of the stream.
type pkgState struct {
	done    bool
	partial string // output so far of a package line not yet ended
	lines   []line // every output line, in order, for printing at the end
	tests   map[string]*testState
	names   []string // tests in the order they started
}

// line is one output line and the test that wrote it ("" for the package).
type line struct {
	test, text string
}

type testState struct {
	outcome string
	lines   []string
	partial string // output so far of a line not yet ended
	printed bool
}

// join adds out, a piece of output, to what is pending of the current line
// and returns the line once it is complete. test2json passes a benchmark's
// result line on in two pieces: its name, then its numbers.
func join(pending *string, out string) (string, bool) {
	*pending += out
	if !strings.HasSuffix(*pending, "\n") {
		return "", false
	}
	l := *pending
	*pending = ""
	return l, true
}

func newCollector(out io.Writer, verbose bool) *collector {
	return &collector{out: out, verbose: verbose, pkgs: map[string]*pkgState{}}
}

func (c *collector) pkg(name string) *pkgState {
	p, ok := c.pkgs[name]
	if !ok {
		p = &pkgState{tests: map[string]*testState{}}
		c.pkgs[name] = p
		c.order = append(c.order, name)
	}
	return p
}

// handle takes in one event.
func (c *collector) handle(ev event) {
	switch ev.Action {
	case "text", "build-output":
		fmt.Fprint(c.out, ev.Output)
		return
	case "build-fail":
		c.failed = true
		return
	}
	if ev.Package == "" {
		return
	}
	p := c.pkg(ev.Package)
	if p.done {
		fmt.Fprint(c.out, ev.Output) // nothing follows a package's end; show it if it does
		return
	}
	if ev.Test == "" {
		c.handlePackage(ev, p)
		return
	}
	t, ok := p.tests[ev.Test]
	if !ok {
		t = &testState{}
		p.tests[ev.Test] = t
		p.names = append(p.names, ev.Test)
	}
	if ev.Action != "output" && t.partial != "" {
		c.testLine(p, ev.Test, t, t.partial+"\n")
		t.partial = ""
	}
	switch ev.Action {
	case "output":
		if c.verbose {
			fmt.Fprint(c.out, ev.Output)
		}
		if l, ok := join(&t.partial, ev.Output); ok {
			c.testLine(p, ev.Test, t, l)
		}
	case "pass", "skip":
		t.outcome = ev.Action
	case "fail":
		t.outcome = outcomeFail
		c.failed = true
		if !c.verbose {
			c.printTest(t)
		}
	}
}

// testLine records a complete output line of test t.
func (c *collector) testLine(p *pkgState, name string, t *testState, l string) {
	t.lines = append(t.lines, l)
	p.lines = append(p.lines, line{name, l})
}

func (c *collector) handlePackage(ev event, p *pkgState) {
	if ev.Action != "output" && p.partial != "" {
		p.lines = append(p.lines, line{"", p.partial + "\n"})
		p.partial = ""
	}
	switch ev.Action {
	case "output":
		if c.verbose {
			fmt.Fprint(c.out, ev.Output)
		}
		if l, ok := join(&p.partial, ev.Output); ok {
			p.lines = append(p.lines, line{"", l})
		}
	case "pass", "skip":
		p.done = true
		if !c.verbose {
			c.printPassed(p)
		}
		c.record(ev.Package, p)
	case "fail":
		p.done = true
		c.failed = true
		if !c.verbose {
			c.printFailed(p)
		}
		c.record(ev.Package, p)
	}
}

// framing lines are go test -v's, not the tests' own output.
var framing = regexp.MustCompile(`^=== (RUN|PAUSE|CONT|NAME)\b`)

// benchResult is a benchmark's result line.
var benchResult = regexp.MustCompile(`^Benchmark\S*\s+\d+\s+\S+ \S+/op`)

// warningMark starts a line a passing test wants seen anyway: something
// went wrong outside what the test checks (an upstream daemon that had to
// be killed, say), so the test passes but the run must say so.
const warningMark = "!!! WARNING"

// printTest prints a failed test's output without the -v framing.
func (c *collector) printTest(t *testState) {
	for _, l := range t.lines {
		if !framing.MatchString(l) {
			fmt.Fprint(c.out, l)
		}
	}
	t.printed = true
}

// printPassed prints what go test prints for a passing package: its own
// output but the bare PASS, and benchmark results; and, unlike go test,
// each line of a test that carries warningMark, with the test's name.
func (c *collector) printPassed(p *pkgState) {
	for _, l := range p.lines {
		switch {
		case l.test == "" && l.text != "PASS\n":
			fmt.Fprint(c.out, l.text)
		case l.test != "" && benchResult.MatchString(l.text):
			fmt.Fprint(c.out, l.text)
		case l.test != "" && strings.Contains(l.text, warningMark):
			fmt.Fprintf(c.out, "%s: %s", l.test, strings.TrimLeft(l.text, " "))
		}
	}
}

// printFailed prints a failing package's own output and the output of the
// tests that never ended (a panic, a timeout), which go test shows in full.
func (c *collector) printFailed(p *pkgState) {
	for _, l := range p.lines {
		if l.test == "" {
			fmt.Fprint(c.out, l.text)
			continue
		}
		t := p.tests[l.test]
		if t.outcome == "" && !framing.MatchString(l.text) {
			fmt.Fprint(c.out, l.text)
		}
	}
}

// record keeps the outcome of every test of a finished package.
func (c *collector) record(pkg string, p *pkgState) {
	for _, name := range p.names {
		t := p.tests[name]
		r := result{Package: pkg, Test: name, Outcome: t.outcome}
		switch t.outcome {
		case "":
			r.Outcome = outcomeRan // a benchmark: no event ends it
		case outcomeSkip:
			r.Reason, r.Where = skipReason(t.lines)
		}
		c.results = append(c.results, r)
	}
	p.lines, p.tests = nil, nil // printed and recorded: let them go
}

// finish returns the outcomes, and an error naming the packages the stream
// left running (go test was killed, or its output was cut).
func (c *collector) finish() ([]result, error) {
	var open []string
	for _, name := range c.order {
		if !c.pkgs[name].done {
			open = append(open, name)
		}
	}
	if len(open) > 0 {
		c.failed = true
		return c.results, fmt.Errorf("the go test output ended while %s still ran", strings.Join(open, ", "))
	}
	return c.results, nil
}
