// Command pause is the process a pod sandbox's infra container runs. It does
// nothing but wait for SIGTERM or SIGINT and then exit 0, so the sandbox's
// namespaces stay alive while the pod's other containers come and go.
//
// It is built with CGO_ENABLED=0 into a static binary and packed into the
// loopback registry's pause image by test/harness; it is not upstream's pause
// (which also reaps zombies as PID 1) — the tests never need reaping.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	<-stopSignals()
}

// stopSignals returns a channel that receives SIGTERM and SIGINT. Once it
// has returned, those signals no longer kill the process.
func stopSignals() chan os.Signal {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	return stop
}
