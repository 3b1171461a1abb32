package harness

import (
	"testing"
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
