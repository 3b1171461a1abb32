package testutil

import (
	"fmt"
	"testing"
)

// recorder is a testing.TB whose Fatalf and Skipf record their message and
// end the function under test, as the real ones end the test's goroutine.
type recorder struct {
	testing.TB
	fatal, skip string
}

// stopped is what recorder panics with to unwind the function under test.
type stopped struct{}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	panic(stopped{})
}

func (r *recorder) Skipf(format string, args ...any) {
	r.skip = fmt.Sprintf(format, args...)
	panic(stopped{})
}

// run calls f and swallows the unwinding of a Fatalf or Skipf.
func (r *recorder) run(f func()) {
	defer func() {
		if v := recover(); v != nil {
			if _, ok := v.(stopped); !ok {
				panic(v)
			}
		}
	}()
	f()
}
