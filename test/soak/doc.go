// Package soak runs the crio-trace daemon for a long, bounded time under
// steady load while its collector comes and goes, and checks that nothing
// grows: the live heap (after a forced GC), goroutines and open file
// descriptors are sampled every 10 s and their slopes must stay flat (and
// resident memory's too, in soaks of 5 minutes or more), no CRI call may
// fail, and once the collector stays, every traced call's span arrives.
//
// `make test` runs it for 60 s; `make soak` for 10 minutes
// (CRIO_TRACE_SOAK=10m). Everything is on a unix socket in a temp dir and on
// 127.0.0.1, and stops by itself.
package soak
