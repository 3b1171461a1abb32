package harness

import (
	"errors"
	"os"
	"testing"
	"time"
)

func TestUnescapeMountPath(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "plain", in: "/tmp/ctd-1/state", want: "/tmp/ctd-1/state"},
		{name: "space", in: `/tmp/a\040b`, want: "/tmp/a b"},
		{name: "tab and newline", in: `/x\011y\012z`, want: "/x\ty\nz"},
		{name: "backslash", in: `/a\134b`, want: `/a\b`},
		{name: "trailing backslash kept", in: `/a\`, want: `/a\`},
		{name: "not octal kept", in: `/a\9zz`, want: `/a\9zz`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := unescapeMountPath(tc.in); got != tc.want {
				t.Errorf("unescapeMountPath(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestMountsUnder(t *testing.T) {
	tests := []struct {
		name    string
		dir     string
		wantAny bool
	}{
		{name: "a fresh temp dir has none", dir: t.TempDir(), wantAny: false},
		{name: "/proc's parent has /proc", dir: "/", wantAny: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			points, err := mountsUnder(tc.dir)
			if err != nil {
				t.Fatalf("mountsUnder(%q): %v", tc.dir, err)
			}
			if got := len(points) > 0; got != tc.wantAny {
				t.Fatalf("mountsUnder(%q) = %q, want any: %v", tc.dir, points, tc.wantAny)
			}
			for i := 1; i < len(points); i++ {
				if len(points[i]) > len(points[i-1]) {
					t.Fatalf("mount points not deepest first: %q", points)
				}
			}
		})
	}
}

func TestPoll(t *testing.T) {
	errStop := errors.New("gave up")
	tests := []struct {
		name    string
		cond    func(n int) (bool, error)
		wantErr error
		wantAny bool // any error at all
	}{
		{name: "holds on the third try", cond: func(n int) (bool, error) { return n >= 3, nil }},
		{name: "stops early", cond: func(int) (bool, error) { return false, stopPolling{errStop} }, wantErr: errStop},
		{name: "times out with the last error", cond: func(int) (bool, error) { return false, os.ErrNotExist }, wantErr: os.ErrNotExist},
		{name: "times out without an error", cond: func(int) (bool, error) { return false, nil }, wantAny: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			err := poll(200*time.Millisecond, time.Millisecond, func() (bool, error) {
				n++
				return tc.cond(n)
			})
			switch {
			case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
				t.Fatalf("poll() = %v, want %v", err, tc.wantErr)
			case tc.wantAny && err == nil:
				t.Fatal("poll() = nil, want a timeout error")
			case tc.wantErr == nil && !tc.wantAny && err != nil:
				t.Fatalf("poll() = %v, want nil", err)
			}
		})
	}
}
