package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestIsE2E(t *testing.T) {
	tests := []struct {
		pkg  string
		want bool
	}{
		{pkg: modulePath + "/test/harness", want: true},
		{pkg: modulePath + "/test/daemon", want: true},
		{pkg: modulePath + "/test/forward", want: true},
		{pkg: modulePath + "/test/systems", want: true},
		{pkg: modulePath + "/test/bench", want: true},
		{pkg: modulePath + "/test/some/future/package", want: true},
		{pkg: modulePath + "/test/demo", want: false},
		{pkg: modulePath + "/test/bench/summarize", want: false},
		{pkg: modulePath + "/internal/waterfall", want: false},
		{pkg: modulePath + "/testdata/x", want: false},
		{pkg: "example.com/other/test/harness", want: false},
	}
	for _, tc := range tests {
		if got := isE2E(tc.pkg); got != tc.want {
			t.Errorf("isE2E(%q) = %t, want %t", tc.pkg, got, tc.want)
		}
	}
}

// Packages for the report tests.
const (
	e2ePkg  = modulePath + "/test/daemon"
	unitPkg = modulePath + "/internal/waterfall"
)

func TestSkipsAndViolations(t *testing.T) {
	unit := run{name: "unit", results: []result{
		{Package: e2ePkg, Test: "TestRanLater", Outcome: outcomeSkip, Reason: "SKIPPING TestRanLater: CRIO_TRACE_E2E=skip is set"},
		{Package: e2ePkg, Test: "TestNeverRan", Outcome: outcomeSkip, Reason: "SKIPPING TestNeverRan: CRIO_TRACE_E2E=skip is set"},
		{Package: e2ePkg, Test: "TestPasses", Outcome: outcomePass},
		{Package: unitPkg, Test: "TestBrowser", Outcome: outcomeSkip, Reason: "no chromium"},
	}}
	e2e := run{name: "e2e", results: []result{
		{Package: e2ePkg, Test: "TestRanLater", Outcome: outcomeFail},
		{Package: e2ePkg, Test: "TestNeverRan", Outcome: outcomeSkip, Reason: "tool missing"},
	}}
	all := skips([]run{unit, e2e})
	got := map[string]string{}
	for _, s := range all {
		got[s.test] = strings.Join(s.skippedIn, ",") + "|" + strings.Join(s.ranIn, ",") + "|" + s.reason
	}
	want := map[string]string{
		"TestRanLater": "unit|e2e|SKIPPING TestRanLater: CRIO_TRACE_E2E=skip is set",
		"TestNeverRan": "unit,e2e||tool missing", // the last run's reason
		"TestBrowser":  "unit||no chromium",
	}
	if len(got) != len(want) {
		t.Fatalf("skips %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	bad := violations(all)
	if len(bad) != 1 || bad[0].test != "TestNeverRan" {
		t.Errorf("violations %v, want only TestNeverRan (an end-to-end test that ran nowhere)", bad)
	}
	var out bytes.Buffer
	if !printViolations(&out, bad) || !strings.Contains(out.String(), "test/daemon TestNeverRan: tool missing") {
		t.Errorf("printViolations wrote %q", out.String())
	}
	if printViolations(&out, nil) {
		t.Error("printViolations(nil) reported a failure")
	}
}

func TestPrintSummary(t *testing.T) {
	unit := run{name: "unit", results: []result{
		{Package: e2ePkg, Test: "TestA", Outcome: outcomeSkip, Reason: "SKIPPING real-runtime test TestA: CRIO_TRACE_E2E=skip is set", Where: "env.go:79"},
		{Package: e2ePkg, Test: "TestB", Outcome: outcomeSkip, Reason: "SKIPPING real-runtime test TestB: CRIO_TRACE_E2E=skip is set", Where: "env.go:79"},
		{Package: e2ePkg, Test: "TestD", Outcome: outcomeSkip, Reason: "SKIPPING real-runtime test TestD: CRIO_TRACE_E2E=skip is set", Where: "d_test.go:12"},
		{Package: e2ePkg, Test: "TestE", Outcome: outcomeSkip, Reason: "SKIPPING real-runtime test TestE: CRIO_TRACE_E2E=skip is set", Where: "e_test.go:30"},
		{Package: unitPkg, Test: "TestC", Outcome: outcomeSkip, Reason: "line one\nline two", Where: "c_test.go:5"},
	}}
	e2e := run{name: "e2e", results: []result{
		{Package: e2ePkg, Test: "TestA", Outcome: outcomePass},
		{Package: e2ePkg, Test: "TestB", Outcome: outcomePass},
	}}
	var out bytes.Buffer
	runs := []run{unit, e2e}
	if n := printSummary(&out, runs, skips(runs)); n != 3 {
		t.Errorf("printSummary says %d never ran, want 3", n)
	}
	s := out.String()
	for _, want := range []string{
		"=== Skipped tests (runs: unit, e2e): 3 skipped and never ran, 2 skipped in one run and ran in another",
		"Skipped and never ran:\n  internal/waterfall\n    TestC\n      why: line one\n           line two\n      (c_test.go:5; skipped in unit)",
		// One reason, skipped from two lines: no line is named.
		"  test/daemon  [end-to-end]\n    TestD, TestE\n      why: SKIPPING real-runtime test <test>: CRIO_TRACE_E2E=skip is set\n      (skipped in unit)",
		"Skipped in one run, ran in another:\n  test/daemon  [end-to-end]\n    TestA, TestB\n" +
			"      why: SKIPPING real-runtime test <test>: CRIO_TRACE_E2E=skip is set\n      (env.go:79; skipped in unit; ran in e2e)",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	out.Reset()
	printSummary(&out, []run{e2e}, nil)
	if !strings.Contains(out.String(), "0 skipped and never ran") || !strings.Contains(out.String(), "  none") {
		t.Errorf("empty summary: %q", out.String())
	}
}
