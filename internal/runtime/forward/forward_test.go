package forward

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func TestForwardUnary(t *testing.T) { eachFront(t, testForwardUnary) }

func testForwardUnary(t *testing.T, fr front) {
	c := newChain(t, Options{}, fr)
	direct := runtimeapi.NewRuntimeServiceClient(dial(t, c.down.path))

	tests := []struct {
		name string
		// call makes one call through the Backend.
		call func(ctx context.Context) (proto.Message, error)
		// want makes the same call on the runtime directly; the Backend's
		// answer must be identical.
		want func(ctx context.Context) (proto.Message, error)
		code codes.Code
	}{
		{
			name: "response preserved",
			call: func(ctx context.Context) (proto.Message, error) {
				return c.rtClient.Version(ctx, &runtimeapi.VersionRequest{})
			},
			want: func(context.Context) (proto.Message, error) { return fakeVersion, nil },
			code: codes.OK,
		},
		{
			name: "exec url unchanged",
			call: func(ctx context.Context) (proto.Message, error) {
				return c.rtClient.Exec(ctx, &runtimeapi.ExecRequest{ContainerId: "c0", Cmd: []string{"sh"}})
			},
			want: func(context.Context) (proto.Message, error) {
				return &runtimeapi.ExecResponse{Url: fakeExecURL}, nil
			},
			code: codes.OK,
		},
		{
			name: "not found with message",
			call: func(ctx context.Context) (proto.Message, error) {
				return c.rtClient.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: "gone"})
			},
			want: func(ctx context.Context) (proto.Message, error) {
				return direct.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: "gone"})
			},
			code: codes.NotFound,
		},
		{
			name: "unimplemented preserved",
			call: func(ctx context.Context) (proto.Message, error) {
				return c.rtClient.CheckpointContainer(ctx, &runtimeapi.CheckpointContainerRequest{ContainerId: "c0"})
			},
			want: func(ctx context.Context) (proto.Message, error) {
				return direct.CheckpointContainer(ctx, &runtimeapi.CheckpointContainerRequest{ContainerId: "c0"})
			},
			code: codes.Unimplemented,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := callCtx(t)
			got, err := tt.call(ctx)
			want, wantErr := tt.want(ctx)
			if code := status.Code(err); code != tt.code {
				t.Fatalf("code = %v (%v), want %v", code, err, tt.code)
			}
			if tt.code != codes.OK {
				if err.Error() != wantErr.Error() {
					t.Errorf("error = %q, want the runtime's own %q", err, wantErr)
				}
				return
			}
			if !proto.Equal(got, want) {
				t.Errorf("response = %v, want %v", got, want)
			}
		})
	}
}

func TestForwardDeadline(t *testing.T) { eachFront(t, testForwardDeadline) }

func testForwardDeadline(t *testing.T, fr front) {
	c := newChain(t, Options{}, fr)
	const timeout = 20 * time.Second
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	if _, err := c.rtClient.Version(ctx, &runtimeapi.VersionRequest{}); err != nil {
		t.Fatalf("Version: %v", err)
	}
	_, left := c.runtime.last()
	if left <= 0 || left > timeout {
		t.Errorf("runtime saw deadline %v from now, want within (0, %v]", left, timeout)
	}
}

func TestForwardCancellation(t *testing.T) { eachFront(t, testForwardCancellation) }

func testForwardCancellation(t *testing.T, fr front) {
	tests := []struct {
		name string
		// start makes a call that the runtime holds open until cancelled;
		// it closes started once the caller is waiting on the runtime (for a
		// stream: after the first message, so the relay is blocked in Recv).
		start func(ctx context.Context, c *chain, started chan<- struct{}) error
	}{
		{
			name: "unary",
			start: func(ctx context.Context, c *chain, started chan<- struct{}) error {
				close(started)
				_, err := c.imClient.PullImage(ctx, &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: "busybox"}})
				return err
			},
		},
		{
			name: "stream",
			start: func(ctx context.Context, c *chain, started chan<- struct{}) error {
				s, err := c.rtClient.GetContainerEvents(ctx, &runtimeapi.GetEventsRequest{})
				if err != nil {
					return err
				}
				if _, err := s.Recv(); err != nil {
					return err
				}
				close(started)
				for {
					if _, err := s.Recv(); err != nil {
						return err
					}
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChain(t, Options{}, fr)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			errc := make(chan error, 1)
			started := make(chan struct{})
			go func() { errc <- tt.start(ctx, c, started) }()
			select {
			case <-started:
			case <-time.After(10 * time.Second):
				t.Fatal("the call never started")
			}
			select {
			case <-c.runtime.entered:
			case <-time.After(10 * time.Second):
				t.Fatal("the call never reached the runtime")
			}
			cancel()
			select {
			case <-c.runtime.cancelled:
			case <-time.After(10 * time.Second):
				t.Fatal("runtime's handler never saw the cancellation")
			}
			if err := <-errc; status.Code(err) != codes.Canceled {
				t.Errorf("caller got %v, want Canceled", err)
			}
		})
	}
}
