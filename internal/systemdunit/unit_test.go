package systemdunit_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/crio-trace/crio-trace/internal/systemdunit"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, unit, wantErr string
	}{
		{"sections and comments", "# c\n[Unit]\nAfter=a.service\n; c\n[Service]\nExecStart=/bin/x\n", ""},
		{"continuation", "[Service]\nExecStart=/bin/x \\\n  --flag\n", ""},
		{"assignment before section", "After=a\n", "before any [Section]"},
		{"not an assignment", "[Unit]\nAfter\n", "neither a section header nor Key=Value"},
		{"bad header", "[Unit\n", "malformed section header"},
		{"dangling continuation", "[Unit]\nAfter=a \\\n", "continuation at end of file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := systemdunit.Parse([]byte(tc.unit))
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Parse() = %v, want no error", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Parse() error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestCommandAndEnvironment(t *testing.T) {
	u, err := systemdunit.Parse([]byte("[Service]\nExecStart=/bin/old\nExecStart=/usr/bin/x --config \"/etc/a b.conf\" \\\n  -v\n" +
		"Environment=\"A=1 2\" B=3\nEnvironment=C=4\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := u.Command("Service", "ExecStart"), []string{"/usr/bin/x", "--config", "/etc/a b.conf", "-v"}; !slices.Equal(got, want) {
		t.Errorf("Command(ExecStart) = %q, want %q (the last assignment wins)", got, want)
	}
	if got := u.Command("Service", "ExecReload"); got != nil {
		t.Errorf("Command(unset key) = %q, want nil", got)
	}
	env := u.Environment()
	for k, v := range map[string]string{"A": "1 2", "B": "3", "C": "4"} {
		if env[k] != v {
			t.Errorf("Environment()[%s] = %q, want %q", k, env[k], v)
		}
	}
}
