package validate_test

import (
	"errors"
	"strings"
	"testing"

	kubeletv1beta1 "k8s.io/kubelet/config/v1beta1"
	kind "sigs.k8s.io/kind/pkg/apis/config/v1alpha4"

	"github.com/crio-trace/crio-trace/deploy/validate"
)

// TestStrictRejects shows the checks can fail: misspelt or misplaced
// fields, which a lenient decoder would drop, are errors.
func TestStrictRejects(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		into    any
		wantErr string
	}{
		{"unknown kind field", "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodez: []\n", &kind.Cluster{}, "nodez"},
		{"misspelt kubelet field", "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncontainerRuntimeEndpoin: x\n", &kubeletv1beta1.KubeletConfiguration{}, "containerRuntimeEndpoin"},
		{"field at the wrong level", "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nendpoint: 127.0.0.1:4317\n", &kubeletv1beta1.KubeletConfiguration{}, "endpoint"},
		{"duplicate key", "kind: Cluster\nkind: Cluster\n", &kind.Cluster{}, "kind"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := validate.Strict([]byte(tc.doc), tc.into)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Strict() = %v, want an error naming %q", err, tc.wantErr)
			}
		})
	}
}

func TestDocumentsAndMeta(t *testing.T) {
	tests := []struct {
		name     string
		stream   string
		wantDocs int
		wantErr  error
	}{
		{"comments only are dropped", "# a\n---\napiVersion: v1\nkind: Namespace\n---\n# b\n", 1, nil},
		{"two documents", "apiVersion: v1\nkind: A\n---\napiVersion: v1\nkind: B\n", 2, nil},
		{"no kind", "apiVersion: v1\nmetadata: {}\n", 1, validate.ErrNoKind},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := validate.Documents([]byte(tc.stream))
			if len(d) != tc.wantDocs {
				t.Fatalf("Documents() = %d documents, want %d", len(d), tc.wantDocs)
			}
			_, err := validate.Meta(d[0])
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("Meta() error %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestParseUnit(t *testing.T) {
	tests := []struct {
		name    string
		unit    string
		section string
		key     string
		want    string
		wantErr string
	}{
		{"last assignment wins", "[Service]\nExecStart=/a\nExecStart=/b\n", "Service", "ExecStart", "/b", ""},
		{"continuation", "[Service]\nExecStart=/a \\\n  --x\n", "Service", "ExecStart", "/a  --x", ""},
		{"comments", "# c\n; c\n[Unit]\nAfter=x\n", "Unit", "After", "x", ""},
		{"assignment before section", "After=x\n", "", "", "", "before any [Section]"},
		{"garbage line", "[Unit]\nnot an assignment\n", "", "", "", "neither"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := validate.ParseUnit([]byte(tc.unit))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseUnit() error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := u.Get(tc.section, tc.key); got != tc.want {
				t.Errorf("Get(%q, %q) = %q, want %q", tc.section, tc.key, got, tc.want)
			}
		})
	}
}

func TestUnitEnvironment(t *testing.T) {
	u, err := validate.ParseUnit([]byte("[Service]\nEnvironment=\"A=1 2\" B=3\nEnvironment=C=4\n"))
	if err != nil {
		t.Fatal(err)
	}
	env := u.Environment()
	for k, want := range map[string]string{"A": "1 2", "B": "3", "C": "4"} {
		if env[k] != want {
			t.Errorf("%s=%q, want %q (all: %v)", k, env[k], want, env)
		}
	}
}
