package harness

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// recordingTB keeps what is logged and reported as an error instead of
// failing the test that runs it.
type recordingTB struct {
	testing.TB
	logs, errs []string
}

func (r *recordingTB) Logf(format string, args ...any) {
	r.logs = append(r.logs, fmt.Sprintf(format, args...))
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// TestReportStopHang: a hung upstream CRI-O in cleanup is a warning that
// make test prints, a hung crio-kit a failure; both carry the stacks.
func TestReportStopHang(t *testing.T) {
	hang := errors.New("CRI-O (pid 7) ignored SIGTERM for 1m0s and was stopped")
	const stacks = "goroutine 1 [select]: catchShutdown"
	tests := []struct {
		name             string
		stock            bool
		wantLog, wantErr bool
	}{
		{name: "upstream CRI-O", stock: true, wantLog: true},
		{name: "crio-kit", stock: false, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &recordingTB{TB: t}
			(&Crio{stock: tc.stock}).reportStopHang(r, hang, stacks)
			if got := len(r.errs) > 0; got != tc.wantErr {
				t.Errorf("reported an error: %v, want %v (%q)", got, tc.wantErr, r.errs)
			}
			if got := len(r.logs) > 0; got != tc.wantLog {
				t.Errorf("logged: %v, want %v (%q)", got, tc.wantLog, r.logs)
			}
			for _, out := range append(r.logs, r.errs...) {
				if !strings.Contains(out, hang.Error()) || !strings.Contains(out, stacks) {
					t.Errorf("%q lacks the error or the stacks", out)
				}
			}
			if tc.wantLog && !strings.HasPrefix(r.logs[0], warningMark) {
				t.Errorf("the warning %q does not start with %q, which make test looks for", r.logs[0], warningMark)
			}
		})
	}
}
