package main

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// modulePath is this module; packages under modulePath/test/ are end-to-end
// or systems tests unless notE2E lists them.
const modulePath = "github.com/crio-trace/crio-trace"

// notE2E are the packages under test/ that need neither root nor a real
// runtime, with the reason. Every other test/ package, present or future,
// is end-to-end.
var notE2E = map[string]string{
	modulePath + "/test/demo":            "the demo and its browser checks against the embedded runtime",
	modulePath + "/test/bench/summarize": "the benchmark summary program",
}

// isE2E reports whether pkg holds end-to-end or systems tests, which must
// not skip when run as root.
func isE2E(pkg string) bool {
	return strings.HasPrefix(pkg, modulePath+"/test/") && notE2E[pkg] == ""
}

// run is one `go test` run's outcomes, named after its file (unit, e2e…).
type run struct {
	name    string
	results []result
}

// skipped is one test that skipped in at least one run.
type skipped struct {
	pkg, test     string
	reason, where string
	skippedIn     []string // runs it skipped in
	ranIn         []string // runs it passed or failed in
}

// skips returns every test that skipped in some run, in package and test
// order, with the runs it skipped and ran in. The reason is the one of the
// last run it skipped in.
func skips(runs []run) []*skipped {
	byKey := map[[2]string]*skipped{}
	ran := map[[2]string][]string{}
	for _, r := range runs {
		for _, res := range r.results {
			k := [2]string{res.Package, res.Test}
			if res.Outcome != outcomeSkip {
				if !slices.Contains(ran[k], r.name) {
					ran[k] = append(ran[k], r.name)
				}
				continue
			}
			s, ok := byKey[k]
			if !ok {
				s = &skipped{pkg: res.Package, test: res.Test}
				byKey[k] = s
			}
			s.reason, s.where = res.Reason, res.Where
			if !slices.Contains(s.skippedIn, r.name) {
				s.skippedIn = append(s.skippedIn, r.name)
			}
		}
	}
	out := make([]*skipped, 0, len(byKey))
	for k, s := range byKey {
		s.ranIn = ran[k]
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].pkg != out[j].pkg {
			return out[i].pkg < out[j].pkg
		}
		return out[i].test < out[j].test
	})
	return out
}

// violations returns the skipped tests that fail a strict report: tests of
// end-to-end packages that ran in no run.
func violations(all []*skipped) []*skipped {
	var out []*skipped
	for _, s := range all {
		if isE2E(s.pkg) && len(s.ranIn) == 0 {
			out = append(out, s)
		}
	}
	return out
}

// group is the skipped tests of one package that share a reason (with each
// test's own name taken out of it) and the same runs. where is the line
// they skipped from when they all skipped from the same one.
type group struct {
	pkg, reason, where, runs string
	tests                    []string
}

// groups folds skips into groups, keeping the order of skips.
func groups(skips []*skipped) []*group {
	var out []*group
	index := map[string]*group{}
	for _, s := range skips {
		reason := strings.ReplaceAll(s.reason, s.test, "<test>")
		runs := "skipped in " + strings.Join(s.skippedIn, ", ")
		if len(s.ranIn) > 0 {
			runs += "; ran in " + strings.Join(s.ranIn, ", ")
		}
		key := s.pkg + "\x00" + reason + "\x00" + runs
		g, ok := index[key]
		if !ok {
			g = &group{pkg: s.pkg, reason: reason, where: s.where, runs: runs}
			index[key] = g
			out = append(out, g)
		} else if g.where != s.where {
			g.where = "" // the tests skip from different lines: name none
		}
		g.tests = append(g.tests, s.test)
	}
	return out
}

// printSummary writes every skipped test with its reason: first those that
// ran nowhere, then those that ran in another run. It returns how many ran
// nowhere.
func printSummary(w io.Writer, runs []run, all []*skipped) int {
	names := make([]string, len(runs))
	for i, r := range runs {
		names[i] = r.name
	}
	var never, elsewhere []*skipped
	for _, s := range all {
		if len(s.ranIn) == 0 {
			never = append(never, s)
		} else {
			elsewhere = append(elsewhere, s)
		}
	}
	fmt.Fprintf(w, "\n=== Skipped tests (runs: %s): %d skipped and never ran, %d skipped in one run and ran in another\n",
		strings.Join(names, ", "), len(never), len(elsewhere))
	section := func(title string, list []*skipped) {
		if len(list) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s\n", title)
		last := ""
		for _, g := range groups(list) {
			if g.pkg != last {
				kind := ""
				if isE2E(g.pkg) {
					kind = "  [end-to-end]"
				}
				fmt.Fprintf(w, "  %s%s\n", strings.TrimPrefix(g.pkg, modulePath+"/"), kind)
				last = g.pkg
			}
			where := g.runs
			if g.where != "" {
				where = g.where + "; " + where
			}
			reason := strings.ReplaceAll(g.reason, "\n", "\n           ")
			fmt.Fprintf(w, "    %s\n      why: %s\n      (%s)\n", strings.Join(g.tests, ", "), reason, where)
		}
	}
	section("Skipped and never ran:", never)
	section("Skipped in one run, ran in another:", elsewhere)
	if len(all) == 0 {
		fmt.Fprintln(w, "  none")
	}
	return len(never)
}

// printViolations writes the strict report's failure, if any, and reports
// whether there was one.
func printViolations(w io.Writer, bad []*skipped) bool {
	if len(bad) == 0 {
		return false
	}
	fmt.Fprintf(w, "\n!!! FAIL: %d end-to-end or systems test(s) skipped and ran nowhere; run as root they must run:\n", len(bad))
	for _, s := range bad {
		first, _, _ := strings.Cut(s.reason, "\n")
		fmt.Fprintf(w, "!!!   %s %s: %s\n", strings.TrimPrefix(s.pkg, modulePath+"/"), s.test, first)
	}
	return true
}
