package forward

import (
	"errors"
	"io"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// drain receives until the stream ends and returns the ids received and the
// final error (nil after io.EOF).
func drain[T any](s grpc.ServerStreamingClient[T], ids func(*T) []string) ([]string, error) {
	var got []string
	for {
		msg, err := s.Recv()
		if errors.Is(err, io.EOF) {
			return got, nil
		}
		if err != nil {
			return got, err
		}
		got = append(got, ids(msg)...)
	}
}

func TestRelay(t *testing.T) { eachFront(t, testRelay) }

func testRelay(t *testing.T, fr front) {
	c := newChain(t, Options{}, fr)
	tests := []struct {
		name    string
		run     func(t *testing.T) ([]string, error)
		want    []string
		code    codes.Code
		message string
	}{
		{
			name: "clean end after all messages",
			run: func(t *testing.T) ([]string, error) {
				s, err := c.rtClient.StreamContainers(callCtx(t), &runtimeapi.StreamContainersRequest{})
				if err != nil {
					return nil, err
				}
				return drain(s, func(r *runtimeapi.StreamContainersResponse) []string {
					var ids []string
					for _, c := range r.GetContainers() {
						ids = append(ids, c.GetId())
					}
					return ids
				})
			},
			want: []string{"c0", "c1", "c2"},
			code: codes.OK,
		},
		{
			name: "messages then the runtime's status",
			run: func(t *testing.T) ([]string, error) {
				s, err := c.rtClient.StreamPodSandboxes(callCtx(t), &runtimeapi.StreamPodSandboxesRequest{})
				if err != nil {
					return nil, err
				}
				return drain(s, func(r *runtimeapi.StreamPodSandboxesResponse) []string {
					var ids []string
					for _, p := range r.GetPodSandboxes() {
						ids = append(ids, p.GetId())
					}
					return ids
				})
			},
			want:    []string{"p0", "p1"},
			code:    codes.ResourceExhausted,
			message: "too many sandboxes to stream",
		},
		{
			name: "unimplemented stream",
			run: func(t *testing.T) ([]string, error) {
				s, err := c.imClient.StreamImages(callCtx(t), &runtimeapi.StreamImagesRequest{})
				if err != nil {
					return nil, err
				}
				return drain(s, func(r *runtimeapi.StreamImagesResponse) []string { return nil })
			},
			code:    codes.Unimplemented,
			message: "method StreamImages not implemented",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.run(t)
			if status.Code(err) != tt.code || status.Convert(err).Message() != tt.message && tt.code != codes.OK {
				t.Fatalf("end = %v, want %v %q", err, tt.code, tt.message)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("received %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("message %d = %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}
