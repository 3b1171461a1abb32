// Command crio-port ports crio-trace's tracing kit into CRI-O: it copies
// CRI-O's source (a pinned release, from the Go module cache) into a scratch
// tree, copies the kit and crio-trace's CRI attribute package in, makes every
// edit of a CRI-O file at a named anchor, and prints the resulting diff's
// stat. The full diff is written where -diff says.
//
// The repository holds only crio-trace's own code: nothing of CRI-O is
// committed. When CRI-O's code has moved so that an anchor no longer matches
// exactly once, the port stops and names the file and the anchor.
//
// Usage:
//
//	go run ./hack/crio-port -out DIR [-version v1.34.0] [-diff bin/crio-port.diff]
//
// `make crio-port` runs it, then builds the patched crio.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "crio-port: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("crio-port", flag.ContinueOnError)
	version := fs.String("version", "v1.34.0", "CRI-O `VERSION` to port into (github.com/cri-o/cri-o on the module proxy)")
	out := fs.String("out", "", "scratch `DIR` for the ported tree (replaced)")
	diff := fs.String("diff", "bin/crio-port.diff", "where to write the full diff")
	repo := fs.String("repo", ".", "crio-trace's repository root (where the kit is copied from)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("-out is required: the scratch directory for the ported tree")
	}
	root, err := filepath.Abs(*repo)
	if err != nil {
		return err
	}
	tree, err := fetchSource(*version, *out)
	if err != nil {
		return err
	}
	p := &port{tree: tree, repo: root}
	steps := []struct {
		name string
		fn   func() error
	}{
		{"copy the kit and the CRI attributes", p.copyOwnCode},
		{"add the overlay files", p.addOverlay},
		{"edit CRI-O at its anchors", p.applyEdits},
		{"name CRI-O's inner spans", p.renameSpans},
		{"pin the modules the kit needs", p.pinModules},
	}
	for _, s := range steps {
		if err := s.fn(); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	stat, err := writeDiff(tree, *diff)
	if err != nil {
		return err
	}
	fmt.Print(stat)
	fmt.Printf("crio-port: CRI-O %s ported in %s; full diff in %s\n", *version, tree, *diff)
	return nil
}

// port is one run: the scratch tree and the repository the kit comes from.
type port struct {
	tree  string     // the CRI-O source being edited
	repo  string     // crio-trace's repository root
	spans []spanName // the inner spans renameSpans named
}
