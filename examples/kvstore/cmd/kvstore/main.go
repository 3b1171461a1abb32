// Command kvstore is the worked example of the guideline's porting path
// (enhancements/distributed-tracing-with-opentelemetry.md, "Porting to your
// component"): a small key-value gRPC service, not CRI, that gets its
// tracing from the kit in internal/tracing and nothing else.
//
// Started without --upstream it keeps values in memory; with --upstream it
// serves each call by calling the next kvstore, so two of them show a trace
// crossing two hops:
//
//	kvstore --listen /tmp/back.sock --enable-tracing
//	kvstore --listen /tmp/front.sock --upstream unix:///tmp/back.sock --enable-tracing
//
// Tracing is configured like crio-trace's, in kvstore's own table
// [kvstore.tracing] of the file given with --config, with the same keys,
// flags and OTEL_* variables. SIGHUP re-reads the file and applies the
// table; SIGTERM and SIGINT drain in-flight calls, flush their spans and
// exit 0.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

// run is main without the process: it returns the exit code.
func run(args []string, stderr io.Writer) int {
	opts, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "kvstore: %v\n", err)
		return 2
	}
	if err := serve(opts, stderr); err != nil {
		fmt.Fprintf(stderr, "kvstore: %v\n", err)
		return 1
	}
	return 0
}
