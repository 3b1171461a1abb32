package embedded

import (
	"errors"
	"strings"
	"testing"
)

const testDigest = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

func TestParseReference(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr string
	}{
		{name: "official image gets domain, library and latest", in: "busybox", want: "docker.io/library/busybox:latest"},
		{name: "tag is kept", in: "busybox:1.36", want: "docker.io/library/busybox:1.36"},
		{name: "user repository on docker hub", in: "grafana/tempo", want: "docker.io/grafana/tempo:latest"},
		{name: "legacy docker hub host", in: "index.docker.io/library/nginx:1", want: "docker.io/library/nginx:1"},
		{name: "registry with path and tag", in: "registry.k8s.io/pause:3.9", want: "registry.k8s.io/pause:3.9"},
		{name: "registry with port", in: "localhost:5000/team/app:v1", want: "localhost:5000/team/app:v1"},
		{name: "localhost without port", in: "localhost/app", want: "localhost/app:latest"},
		{name: "digest only gets no tag", in: "docker.io/library/nginx@" + testDigest, want: "docker.io/library/nginx@" + testDigest},
		{name: "tag and digest", in: "nginx:1.27@" + testDigest, want: "docker.io/library/nginx:1.27@" + testDigest},
		{name: "separators in path", in: "quay.io/a.b/c__d/e---f_g:x", want: "quay.io/a.b/c__d/e---f_g:x"},
		{name: "empty", in: "", wantErr: "empty"},
		{name: "space", in: "busy box", wantErr: "white space"},
		{name: "trailing newline", in: "busybox\n", wantErr: "white space"},
		{name: "upper-case repository", in: "BusyBox", wantErr: "lower-case"},
		{name: "empty path component", in: "quay.io//app", wantErr: "lower-case"},
		{name: "leading separator", in: "-app", wantErr: "lower-case"},
		{name: "triple underscore", in: "a___b", wantErr: "lower-case"},
		{name: "bad digest algorithm", in: "nginx@md5:abc", wantErr: "digest"},
		{name: "short digest", in: "nginx@sha256:abc", wantErr: "digest"},
		{name: "upper-case digest", in: "nginx@" + strings.ToUpper(testDigest), wantErr: "digest"},
		{name: "bad tag", in: "nginx:-1", wantErr: "tag"},
		{name: "empty tag", in: "nginx:", wantErr: "tag"},
		{name: "tag only", in: ":latest", wantErr: "empty"},
		{name: "bad port", in: "host:port/app", wantErr: "registry host"},
		{name: "bad host", in: "-bad.io/app", wantErr: "registry host"},
		{name: "image id is not a reference", in: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", wantErr: "image id"},
		{name: "too long", in: strings.Repeat("a", 256), wantErr: "longer than"},
		{name: "too long once normalized", in: strings.Repeat("a", 238), wantErr: "longer than 255 characters with its registry (256)"},
		{name: "longest official name", in: strings.Repeat("a", 237), want: "docker.io/library/" + strings.Repeat("a", 237) + ":latest"},
		{name: "legacy host shortens the name", in: "index.docker.io/u/" + strings.Repeat("a", 243), want: "docker.io/u/" + strings.Repeat("a", 243) + ":latest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref, err := ParseReference(tt.in)
			if tt.wantErr != "" {
				if !errors.Is(err, ErrInvalidReference) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseReference(%q) = %v, %v; want an ErrInvalidReference containing %q", tt.in, ref, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseReference(%q): %v", tt.in, err)
			}
			if got := ref.String(); got != tt.want {
				t.Errorf("ParseReference(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzParseReference checks that ParseReference never panics and that a
// normalized reference is a fixed point: it parses to itself.
func FuzzParseReference(f *testing.F) {
	for _, seed := range []string{
		"busybox", "registry.k8s.io/pause:3.9", "nginx@" + testDigest, "localhost:5000/a/b:c",
		"", ":", "@", "a:b:c", "a/b@sha256:", "index.docker.io/x", "A", "a..b", "host:1/x@sha256:zz",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		ref, err := ParseReference(in)
		if err != nil {
			if !errors.Is(err, ErrInvalidReference) {
				t.Fatalf("ParseReference(%q) error %v does not wrap ErrInvalidReference", in, err)
			}
			return
		}
		again, err := ParseReference(ref.String())
		if err != nil {
			t.Fatalf("normalized %q (from %q) does not parse: %v", ref.String(), in, err)
		}
		if again != ref {
			t.Fatalf("normalizing %q is not stable: %+v then %+v", in, ref, again)
		}
	})
}
