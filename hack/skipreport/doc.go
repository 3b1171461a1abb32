// Command skipreport makes what `go test` skips seen. go test without -v
// hides every t.Skip reason; `make test` runs go test with -json through
// skipreport instead:
//
//	go test -json ./... | skipreport run -o bin/test/unit.json
//
// prints what plain `go test` would print (failures in full, an "ok" line
// per passing package, benchmark results; -v prints everything), saves the
// events to the file, and exits 1 when a package or test failed, a build
// failed, or the stream ended with a package still running. At the end of
// `make test`,
//
//	skipreport summary -strict bin/test/*.json
//
// prints every skipped test and its reason (the test's last log line before
// the skip, with the file and line), grouped by package and reason, apart
// for tests that skipped in one run and ran in another (make unit skips the
// end-to-end tests that make e2e then runs).
//
// With -strict (make passes it when running as root, as CI does), a test of
// an end-to-end or systems package that skipped and ran in none of the
// runs fails the report: those tests are worthless when silently skipped.
// End-to-end packages are recognised by path: every package under test/ of
// this module except the ones listed in notE2E, which need neither root nor
// a real runtime, so a new test/ package is strict by default. `run -strict`
// applies the same rule to one run.
package main
