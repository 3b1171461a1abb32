package forward

import (
	"errors"
	"testing"
)

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		name     string
		endpoint string
		want     string
		wantErr  bool
	}{
		{name: "unix url", endpoint: "unix:///run/containerd/containerd.sock", want: "unix:///run/containerd/containerd.sock"},
		{name: "bare absolute path", endpoint: "/run/crio/crio.sock", want: "unix:///run/crio/crio.sock"},
		{name: "path is cleaned", endpoint: "unix:///run//crio/../crio/crio.sock", want: "unix:///run/crio/crio.sock"},
		{name: "empty", endpoint: "", wantErr: true},
		{name: "relative path", endpoint: "run/crio.sock", wantErr: true},
		{name: "unix url with relative path", endpoint: "unix://run/crio.sock", wantErr: true},
		{name: "tcp refused", endpoint: "tcp://127.0.0.1:10010", wantErr: true},
		{name: "host and port refused", endpoint: "127.0.0.1:10010", wantErr: true},
		{name: "abstract socket refused", endpoint: "unix-abstract://crio", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEndpoint(tt.endpoint)
			if tt.wantErr {
				if !errors.Is(err, ErrEndpoint) {
					t.Fatalf("ParseEndpoint(%q) = %q, %v; want an ErrEndpoint error", tt.endpoint, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseEndpoint(%q) = %q, %v; want %q", tt.endpoint, got, err, tt.want)
			}
		})
	}
}

func TestNewRejectsBadEndpoint(t *testing.T) {
	tests := []struct {
		name     string
		endpoint string
	}{
		{name: "tcp", endpoint: "tcp://127.0.0.1:10010"},
		{name: "empty", endpoint: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := New(Options{Endpoint: tt.endpoint})
			if !errors.Is(err, ErrEndpoint) || b != nil {
				t.Errorf("New(%q) = %v, %v; want nil and an ErrEndpoint error", tt.endpoint, b, err)
			}
		})
	}
}

func TestCloseTwice(t *testing.T) {
	tests := []struct {
		name  string
		calls int
	}{
		{name: "once", calls: 1},
		{name: "twice", calls: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := New(Options{Endpoint: socketPath(t, "rt.sock")})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			for i := range tt.calls {
				if err := b.Close(); err != nil {
					t.Errorf("Close #%d: %v", i+1, err)
				}
			}
		})
	}
}
