package forward

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/testutil"
)

// loadWorkers is how many goroutines call the daemon during a restart.
const loadWorkers = 4

// loadCallTimeout bounds one call of the load.
const loadCallTimeout = 10 * time.Second

// load calls Version and ListPodSandbox through the daemon from several
// goroutines, back to back, until stopped, recording every outcome.
type load struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	results []loadResult
}

// loadResult is the outcome of one call of the load.
type loadResult struct {
	end  time.Time
	took time.Duration
	code codes.Code
	msg  string
}

// startLoad starts workers goroutines calling rt; the load stops when t
// ends at the latest.
func startLoad(t *testing.T, rt runtimeapi.RuntimeServiceClient, workers int) *load {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	l := &load{cancel: cancel}
	for w := range workers {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				callCtx, callCancel := context.WithTimeout(ctx, loadCallTimeout)
				start := time.Now()
				var err error
				if (w+i)%2 == 0 {
					_, err = rt.Version(callCtx, &runtimeapi.VersionRequest{})
				} else {
					_, err = rt.ListPodSandbox(callCtx, &runtimeapi.ListPodSandboxRequest{})
				}
				callCancel()
				if ctx.Err() != nil {
					return // the load was stopped mid-call: not an outcome
				}
				st := status.Convert(err)
				l.mu.Lock()
				l.results = append(l.results, loadResult{end: time.Now(), took: time.Since(start), code: st.Code(), msg: st.Message()})
				l.mu.Unlock()
				if err != nil {
					// Failing calls return at once; do not spin.
					time.Sleep(10 * time.Millisecond)
				}
			}
		}()
	}
	t.Cleanup(func() { l.stop() })
	return l
}

// successes counts the calls that succeeded so far.
func (l *load) successes() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.results {
		if r.code == codes.OK {
			n++
		}
	}
	return n
}

// waitSuccesses waits up to 20 s until n calls have succeeded.
func (l *load) waitSuccesses(t *testing.T, n int) {
	t.Helper()
	err := testutil.PollUntilNil(20*time.Second, func() error {
		if got := l.successes(); got < n {
			return fmt.Errorf("%d calls of the load succeeded, want %d", got, n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// stop ends the load and returns every outcome, in the order calls ended.
func (l *load) stop() []loadResult {
	l.cancel()
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]loadResult(nil), l.results...)
}

// checkLoad checks a restart's load: every failed call failed fast with
// Unavailable, some calls failed (the load saw the runtime go), and once
// calls succeeded again after the failures, every later call succeeded.
func checkLoad(t *testing.T, results []loadResult) {
	t.Helper()
	var ok, failed int
	lastFail := -1
	var slowest time.Duration
	for i, r := range results {
		if r.code == codes.OK {
			ok++
			continue
		}
		failed++
		lastFail = i
		slowest = max(slowest, r.took)
		if r.code != codes.Unavailable {
			t.Errorf("a call of the load failed with %s (%s), want Unavailable", r.code, r.msg)
		}
		if r.took > unavailableWithin {
			t.Errorf("a call of the load failed after %s, want within %s", r.took.Round(time.Millisecond), unavailableWithin)
		}
	}
	t.Logf("load: %d calls from %d workers, %d succeeded, %d failed (slowest failure %s)",
		len(results), loadWorkers, ok, failed, slowest.Round(time.Millisecond))
	if failed == 0 {
		t.Errorf("no call of the load failed while the runtime was down; did the restart happen under load?")
	}
	if lastFail == len(results)-1 {
		t.Errorf("the load's last call failed: %s %s", results[lastFail].code, results[lastFail].msg)
	}
	if after := len(results) - 1 - lastFail; after < 10 {
		t.Errorf("only %d calls succeeded after the last failure, want at least 10", after)
	}
}
