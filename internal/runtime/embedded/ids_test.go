package embedded

import (
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestNewID(t *testing.T) {
	seen := make(map[string]bool)
	for range 1000 {
		id := newID()
		if !isHex64(id) {
			t.Fatalf("newID() = %q, want 64 lower-case hex digits", id)
		}
		if seen[id] {
			t.Fatalf("newID() repeated %q", id)
		}
		seen[id] = true
	}
}

func TestResolve(t *testing.T) {
	objs := map[string]int{
		"abc111" + strings.Repeat("0", 58): 1,
		"abc222" + strings.Repeat("0", 58): 2,
		"def333" + strings.Repeat("0", 58): 3,
	}
	tests := []struct {
		name     string
		id       string
		want     int
		wantCode codes.Code
		wantMsg  string
	}{
		{name: "full id", id: "def333" + strings.Repeat("0", 58), want: 3},
		{name: "unique prefix", id: "abc1", want: 1},
		{name: "single character prefix", id: "d", want: 3},
		{name: "ambiguous prefix", id: "abc", wantCode: codes.InvalidArgument, wantMsg: `"abc" is ambiguous`},
		{name: "unknown id", id: "fff", wantCode: codes.NotFound, wantMsg: `thing "fff" not found`},
		{name: "empty id", id: "", wantCode: codes.InvalidArgument, wantMsg: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resolve(objs, tt.id, "thing")
			if st := status.Convert(err); st.Code() != tt.wantCode || !strings.Contains(st.Message(), tt.wantMsg) {
				t.Fatalf("resolve(%q) error = %v, want code %v containing %q", tt.id, err, tt.wantCode, tt.wantMsg)
			}
			if got != tt.want {
				t.Errorf("resolve(%q) = %d, want %d", tt.id, got, tt.want)
			}
		})
	}
}
