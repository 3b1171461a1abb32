package main

import (
	"strings"
	"testing"
)

func TestSkipReason(t *testing.T) {
	tests := []struct {
		name       string
		lines      []string
		wantReason string
		wantWhere  string
	}{
		{
			name:       "the skip message is the last entry",
			lines:      []string{"=== RUN   TestX\n", "    x_test.go:3: setting up\n", "    x_test.go:9: SKIPPING TestX: not root\n", "--- SKIP: TestX (0.00s)\n"},
			wantReason: "SKIPPING TestX: not root",
			wantWhere:  "x_test.go:9",
		},
		{
			name:       "continuation lines belong to the entry",
			lines:      []string{"    x_test.go:9: first\n", "        second\n", "        third\n", "--- SKIP: TestX (0.00s)\n"},
			wantReason: "first\nsecond\nthird",
			wantWhere:  "x_test.go:9",
		},
		{
			name:       "SkipNow says nothing",
			lines:      []string{"=== RUN   TestX\n", "--- SKIP: TestX (0.00s)\n"},
			wantReason: "(no reason given: the test called SkipNow or Skip without a message)",
		},
		{
			name:       "printed output is not a log entry",
			lines:      []string{"    x_test.go:4: why\n", "plain stdout\n", "--- SKIP: TestX (0.00s)\n"},
			wantReason: "why",
			wantWhere:  "x_test.go:4",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reason, where := skipReason(tc.lines)
			if reason != tc.wantReason || where != tc.wantWhere {
				t.Errorf("skipReason = %q, %q; want %q, %q", reason, where, tc.wantReason, tc.wantWhere)
			}
		})
	}
}

func TestReadEventsKeepsTextLines(t *testing.T) {
	in := `{"Action":"start","Package":"p"}
go: downloading example.com/m v1.0.0
{"Action":"pass","Package":"p"}
{"no action":true}
`
	var got []string
	if err := readEvents(strings.NewReader(in), func(ev event) { got = append(got, ev.Action+"|"+ev.Output) }); err != nil {
		t.Fatal(err)
	}
	want := []string{"start|", "text|go: downloading example.com/m v1.0.0\n", "pass|", "text|{\"no action\":true}\n"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("events %q, want %q", got, want)
	}
}
