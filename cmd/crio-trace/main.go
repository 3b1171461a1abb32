// Command crio-trace serves the Kubernetes CRI API on a unix socket and
// traces every RPC with OpenTelemetry as a child of kubelet's span. With
// --runtime-endpoint it forwards each call to a real runtime (containerd,
// CRI-O); without, it answers from an embedded runtime that runs no
// processes.
//
// Usage:
//
//	crio-trace [flags]          run the daemon
//	crio-trace config           print the commented default configuration
//
// Signals: SIGTERM/SIGINT stop accepting, finish in-flight RPCs, flush spans
// and exit 0; SIGHUP re-reads --config and applies [crio.tracing].
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the exit, for tests.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "config" {
		return printConfig(args[1:], stdout, stderr)
	}
	f, fs := newFlags(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "crio-trace: unexpected argument %q (the only subcommand is \"config\"; see --help)\n", fs.Arg(0))
		return 2
	}
	if f.version {
		fmt.Fprintf(stdout, "crio-trace %s\n", version)
		return 0
	}
	if err := serve(f, fs, stderr); err != nil {
		fmt.Fprintf(stderr, "crio-trace: %v\n", err)
		return 1
	}
	return 0
}
