// Command summarize turns the output of the performance suite
// (`go test -bench . ./test/bench/`, any -count) into the Markdown tables of
// docs/performance.md: the median of every metric per benchmark, its
// spread across runs, and the ratios between stacks the performance
// targets are stated in (b/a, c/a, c/f, d/b and more).
//
// Usage:
//
//	go test -v -run '^$' -bench . -benchmem -count 6 ./test/bench/ | tee bin/bench.txt
//	go run ./test/bench/summarize -svg docs/perf-scaling.svg -doc docs/performance.md < bin/bench.txt
//
// It reads standard input (or the files named as arguments) and writes
// Markdown to standard output. With -doc FILE it also rewrites the lines of
// FILE between its "<!-- summarize:begin" and "<!-- summarize:end -->"
// lines: a header naming the machine (CPU as go test names it, cores,
// memory, kernel, Go), the date, the run count and the benchmarks that
// skipped (their "!!! SKIPPING" reasons, which go test prints with -v), then
// the report with its headings one level down; the prose around the markers
// stays, and a file without exactly one pair of markers is left untouched.
// With -svg FILE it also draws the growth plot
// (list latency and the server's allocations per call against the number of
// pods, tracing off and on; spans per second at the receiver against the
// number of clients) from BenchmarkScale and BenchmarkExportClients, and
// fails when the input has neither. Lines that are not benchmark results are
// ignored, so the raw `go test` output can be piped in as it is. For
// confidence intervals and significance tests use benchstat on the same
// file (see docs/performance.md for the pinned version).
package main
