package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// stream builds a go test -json stream from compact lines:
// "ACTION PACKAGE [TEST] [| OUTPUT]".
func stream(lines ...string) string {
	var b strings.Builder
	for _, l := range lines {
		head, out, hasOut := strings.Cut(l, " | ")
		f := strings.Fields(head)
		ev := `{"Action":"` + f[0] + `","Package":"` + f[1] + `"`
		if len(f) > 2 {
			ev += `,"Test":"` + f[2] + `"`
		}
		if hasOut {
			ev += `,"Output":` + quote(out+"\n")
		}
		b.WriteString(ev + "}\n")
	}
	return b.String()
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// collect runs a stream through a collector and returns what it printed,
// the outcomes, whether it saw a failure, and finish's error.
func collect(t *testing.T, in string, verbose bool) (string, []result, bool, error) {
	t.Helper()
	var out bytes.Buffer
	c := newCollector(&out, verbose)
	if err := readEvents(strings.NewReader(in), c.handle); err != nil {
		t.Fatal(err)
	}
	res, err := c.finish()
	return out.String(), res, c.failed, err
}

func TestCollectorPrintsWhatGoTestPrints(t *testing.T) {
	passing := stream(
		"start p",
		"run p TestA", "output p TestA | === RUN   TestA", "output p TestA |     a_test.go:3: chatter", "output p TestA | --- PASS: TestA (0.00s)", "pass p TestA",
		"run p TestS", "output p TestS | === RUN   TestS", "output p TestS |     a_test.go:9: no root", "output p TestS | --- SKIP: TestS (0.00s)", "skip p TestS",
		"run p BenchmarkB", "output p BenchmarkB | === RUN   BenchmarkB", "output p BenchmarkB | BenchmarkB", "output p BenchmarkB | BenchmarkB-2   \t       1\t      1533 ns/op",
		"run p BenchmarkC/sub", "output p BenchmarkC/sub | BenchmarkC/sub",
	) +
		// test2json hands a slow benchmark's result line over in two pieces.
		`{"Action":"output","Package":"p","Test":"BenchmarkC/sub","Output":"BenchmarkC/sub-2   \t"}` + "\n" +
		`{"Action":"output","Package":"p","Test":"BenchmarkC/sub","Output":"       1\t    355320 ns/op\n"}` + "\n" +
		stream("output p | PASS", "output p | ok  \tp\t0.01s", "pass p")
	failing := stream(
		"start q",
		"run q TestF", "output q TestF | === RUN   TestF", "output q TestF |     f_test.go:4: boom", "output q TestF | --- FAIL: TestF (0.00s)", "fail q TestF",
		"run q TestHang", "output q TestHang | === RUN   TestHang", "output q TestHang | panic: test timed out after 1s",
		"output q | FAIL\tq\t1.0s", "fail q",
	)
	tests := []struct {
		name       string
		in         string
		verbose    bool
		want       []string // printed, in this order
		notWant    []string
		wantFailed bool
	}{
		{
			name:    "passing package: the ok line and benchmark results only",
			in:      passing,
			want:    []string{"BenchmarkB-2   \t       1\t      1533 ns/op\n", "BenchmarkC/sub-2   \t       1\t    355320 ns/op\n", "ok  \tp\t0.01s\n"},
			notWant: []string{"chatter", "no root", "=== RUN", "PASS\n"},
		},
		{
			name:       "failing package: the failed test's output, an unfinished test's, the FAIL line",
			in:         failing,
			want:       []string{"    f_test.go:4: boom\n--- FAIL: TestF (0.00s)\n", "panic: test timed out", "FAIL\tq\t1.0s\n"},
			notWant:    []string{"=== RUN"},
			wantFailed: true,
		},
		{
			name:    "verbose: everything",
			in:      passing,
			verbose: true,
			want:    []string{"=== RUN   TestA\n", "chatter", "no root", "PASS\n", "ok  \tp"},
		},
		{
			name:       "build failures are printed and fail",
			in:         `{"ImportPath":"p [p.test]","Action":"build-output","Output":"p/x.go:1: undefined: y\n"}` + "\n" + `{"ImportPath":"p [p.test]","Action":"build-fail"}` + "\n" + stream("start p", "output p | FAIL\tp [build failed]", "fail p"),
			want:       []string{"p/x.go:1: undefined: y\n", "FAIL\tp [build failed]\n"},
			wantFailed: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _, failed, err := collect(t, tc.in, tc.verbose)
			if err != nil {
				t.Fatalf("finish: %v", err)
			}
			rest := out
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q (in order):\n%s", w, out)
				}
				rest = rest[i+len(w):]
			}
			for _, nw := range tc.notWant {
				if strings.Contains(out, nw) {
					t.Errorf("output has %q:\n%s", nw, out)
				}
			}
			if failed != tc.wantFailed {
				t.Errorf("failed = %t, want %t", failed, tc.wantFailed)
			}
		})
	}
}

func TestCollectorOutcomes(t *testing.T) {
	in := stream(
		"start p",
		"run p TestA", "pass p TestA",
		"run p TestS", "output p TestS |     s_test.go:2: needs root", "skip p TestS",
		"run p TestS/sub", "output p TestS/sub |     s_test.go:5: sub reason", "skip p TestS/sub",
		"run p BenchmarkB", "output p BenchmarkB | BenchmarkB-2 1 5 ns/op",
		"pass p",
	)
	_, res, failed, err := collect(t, in, false)
	if err != nil || failed {
		t.Fatalf("finish: %v, failed %t", err, failed)
	}
	got := map[string]string{}
	for _, r := range res {
		got[r.Test] = r.Outcome + "|" + r.Reason + "|" + r.Where
	}
	want := map[string]string{
		"TestA":      "pass||",
		"TestS":      "skip|needs root|s_test.go:2",
		"TestS/sub":  "skip|sub reason|s_test.go:5",
		"BenchmarkB": "ran||",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("outcomes %v, want %v", got, want)
	}
}

func TestCollectorCutStream(t *testing.T) {
	_, _, failed, err := collect(t, stream("start p", "run p TestA", "start q", "pass q"), false)
	if err == nil || !strings.Contains(err.Error(), "ended while p still ran") || !failed {
		t.Errorf("finish error %v, failed %t; want the package that still ran named, and a failure", err, failed)
	}
}

func TestCollectorShowsWarningsOfPassingTests(t *testing.T) {
	in := stream(
		"start p",
		"run p TestW", "output p TestW | === RUN   TestW",
		"output p TestW |     w_test.go:7: !!! WARNING: the daemon had to be killed",
		"output p TestW |         its stacks, not shown",
		"output p TestW |     w_test.go:8: chatter",
		"output p TestW | --- PASS: TestW (0.00s)", "pass p TestW",
		"output p | PASS", "output p | ok  \tp\t0.01s", "pass p",
	)
	out, _, failed, err := collect(t, in, false)
	if err != nil || failed {
		t.Fatalf("failed = %v, err = %v", failed, err)
	}
	want := "TestW: w_test.go:7: !!! WARNING: the daemon had to be killed\nok  \tp\t0.01s\n"
	if out != want {
		t.Errorf("printed\n%q\nwant\n%q", out, want)
	}
}
