package testutil

import (
	"net"
	"path/filepath"
	"strings"
	"testing"
)

// The daemon runner is exercised against the real daemon by cmd/crio-trace
// and test/daemon; these cases pin its process handling with /bin/sh.

func TestRun(t *testing.T) {
	r := Run(t, "/bin/sh", nil, "-c", "echo out; echo err >&2; exit 3")
	if r.Stdout != "out\n" || r.Stderr != "err\n" || r.Code != 3 {
		t.Errorf("Run = %+v, want stdout out, stderr err, code 3", r)
	}
	r = Run(t, "/bin/sh", []string{"GREETING=hi"}, "-c", `echo "$GREETING"`)
	if r.Stdout != "hi\n" || r.Code != 0 {
		t.Errorf("Run with an environment = %+v, want stdout hi, code 0", r)
	}
}

func TestDaemonExitAndOutput(t *testing.T) {
	d := StartDaemon(t, "/bin/sh", nil, "-c", "echo started >&2; echo hello; exit 4")
	if code := d.Wait(t); code != 4 {
		t.Errorf("exit code %d, want 4", code)
	}
	if !d.Exited() {
		t.Error("Exited() is false after Wait")
	}
	if d.Stderr.String() != "started\n" || d.Stdout.String() != "hello\n" {
		t.Errorf("stderr %q, stdout %q", d.Stderr.String(), d.Stdout.String())
	}
}

func TestDaemonStopAndWaitServing(t *testing.T) {
	sock := filepath.Join(SocketDir(t), "s.sock")
	// The stand-in "daemon" logs the serving line; the test holds the socket.
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	d := StartDaemon(t, "/bin/sh", nil, "-c", `echo "`+LogServing+`" >&2; exec sleep 60`, "--listen", sock)
	if d.Socket != sock {
		t.Fatalf("Socket = %q, want %q", d.Socket, sock)
	}
	d.WaitServing(t)
	if code := d.Stop(t); code != -1 {
		t.Errorf("exit code after SIGTERM to sleep = %d, want -1 (killed by the signal)", code)
	}
	if !strings.Contains(d.Stderr.String(), LogServing) {
		t.Errorf("stderr %q lacks %q", d.Stderr.String(), LogServing)
	}
}
