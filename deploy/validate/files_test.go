package validate_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/crio-trace/crio-trace/deploy/validate"
)

// repoRoot is the repository root relative to this package directory.
const repoRoot = "../.."

// read returns a file of the repository, failing t when it cannot.
func read(t *testing.T, rel string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, rel))
	if err != nil {
		t.Fatalf("reading %s: %v", rel, err)
	}
	return data
}

// docs splits a repository YAML file into documents, failing t when it has
// none.
func docs(t *testing.T, rel string) [][]byte {
	t.Helper()
	d := validate.Documents(read(t, rel))
	if len(d) == 0 {
		t.Fatalf("%s holds no YAML document", rel)
	}
	return d
}

// unit parses a repository systemd unit file.
func unit(t *testing.T, rel string) validate.Unit {
	t.Helper()
	u, err := validate.ParseUnit(read(t, rel))
	if err != nil {
		t.Fatalf("parsing %s: %v", rel, err)
	}
	return u
}
