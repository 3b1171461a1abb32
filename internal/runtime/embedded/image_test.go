package embedded

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func TestPullImage(t *testing.T) {
	tests := []struct {
		name     string
		image    string
		wantTags []string
		wantCode codes.Code
	}{
		{name: "short name", image: "busybox", wantTags: []string{"docker.io/library/busybox:latest"}},
		{name: "registry and tag", image: "registry.k8s.io/pause:3.9", wantTags: []string{"registry.k8s.io/pause:3.9"}},
		{name: "digest", image: "docker.io/library/nginx@" + testDigest, wantTags: nil},
		{name: "empty", image: "", wantCode: codes.InvalidArgument},
		{name: "space", image: "busy box", wantCode: codes.InvalidArgument},
		{name: "upper-case repository", image: "Nginx", wantCode: codes.InvalidArgument},
		{name: "bad digest", image: "nginx@sha256:123", wantCode: codes.InvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			r := newTestRuntime(t)
			resp, err := r.PullImage(ctx, &runtimeapi.PullImageRequest{
				Image: &runtimeapi.ImageSpec{Image: tt.image},
				Auth:  &runtimeapi.AuthConfig{Username: "u", Password: "hunter2"},
			})
			if status.Code(err) != tt.wantCode {
				t.Fatalf("PullImage(%q) error = %v, want %v", tt.image, err, tt.wantCode)
			}
			if err != nil {
				if msg := status.Convert(err).Message(); !strings.Contains(msg, "image.image") || strings.Contains(msg, "hunter2") {
					t.Errorf("error %q should name image.image and no credentials", msg)
				}
				if !errors.Is(err, ErrInvalidReference) {
					t.Errorf("error %v does not wrap ErrInvalidReference", err)
				}
				return
			}
			if !strings.HasPrefix(resp.ImageRef, "sha256:") || !isHex64(strings.TrimPrefix(resp.ImageRef, "sha256:")) {
				t.Fatalf("image ref = %q, want sha256:<64 hex>", resp.ImageRef)
			}
			again := mustPull(ctx, t, New(Options{}), tt.image)
			if again != resp.ImageRef {
				t.Errorf("image ref is not stable: %q then %q", resp.ImageRef, again)
			}
			st, err := r.ImageStatus(ctx, &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{Image: tt.image}})
			if err != nil || st.Image == nil {
				t.Fatalf("ImageStatus(%q) = %v, %v; want the image", tt.image, st, err)
			}
			if st.Image.Id != resp.ImageRef || strings.Join(st.Image.RepoTags, ",") != strings.Join(tt.wantTags, ",") ||
				len(st.Image.RepoDigests) != 1 || st.Image.Size == 0 {
				t.Errorf("image = %v, want id %q, tags %v, one digest and a size", st.Image, resp.ImageRef, tt.wantTags)
			}
		})
	}
}

func TestPullImageLatency(t *testing.T) {
	tests := []struct {
		name     string
		latency  time.Duration
		timeout  time.Duration
		wantCode codes.Code
	}{
		{name: "latency shorter than the deadline", latency: 20 * time.Millisecond, timeout: time.Minute, wantCode: codes.OK},
		{name: "deadline ends the download", latency: time.Hour, timeout: 20 * time.Millisecond, wantCode: codes.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New(Options{ImageLatency: map[string]time.Duration{"docker.io/library/busybox": tt.latency}, PullLatency: time.Hour})
			defer r.Close()
			ctx, cancel := context.WithTimeout(t.Context(), tt.timeout)
			defer cancel()
			begin := time.Now()
			_, err := r.PullImage(ctx, &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: "busybox:latest"}})
			if status.Code(err) != tt.wantCode {
				t.Fatalf("PullImage error = %v, want %v", err, tt.wantCode)
			}
			if took := time.Since(begin); took < min(tt.latency, tt.timeout) || took > time.Minute {
				t.Errorf("PullImage took %v, want about %v", took, min(tt.latency, tt.timeout))
			}
			if err == nil {
				return
			}
			st, err := r.ImageStatus(t.Context(), &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{Image: "busybox"}})
			if err != nil || st.Image != nil {
				t.Errorf("ImageStatus after a cancelled pull = %v, %v; want no image", st, err)
			}
		})
	}
}

func TestImageLookupAndRemove(t *testing.T) {
	ctx := t.Context()
	r := newTestRuntime(t)
	busybox := mustPull(ctx, t, r, "busybox")
	pause := mustPull(ctx, t, r, "registry.k8s.io/pause:3.9")
	tests := []struct {
		name  string
		image string
		want  string // image id, empty when absent
	}{
		{name: "short name", image: "busybox", want: busybox},
		{name: "normalized name", image: "docker.io/library/busybox:latest", want: busybox},
		{name: "full id", image: pause, want: pause},
		{name: "id without algorithm", image: strings.TrimPrefix(pause, "sha256:"), want: pause},
		{name: "id prefix", image: pause[:19], want: pause},
		{name: "repo digest", image: "registry.k8s.io/pause@" + pause, want: pause},
		{name: "other tag", image: "busybox:1.0", want: ""},
		{name: "malformed", image: "Not An Image", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := r.ImageStatus(ctx, &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{Image: tt.image}})
			if err != nil {
				t.Fatalf("ImageStatus(%q): %v", tt.image, err)
			}
			if got := st.GetImage().GetId(); got != tt.want {
				t.Errorf("ImageStatus(%q) id = %q, want %q", tt.image, got, tt.want)
			}
			list, err := r.ListImages(ctx, &runtimeapi.ListImagesRequest{Filter: &runtimeapi.ImageFilter{Image: &runtimeapi.ImageSpec{Image: tt.image}}})
			if err != nil {
				t.Fatalf("ListImages: %v", err)
			}
			if want := map[bool]int{true: 0, false: 1}[tt.want == ""]; len(list.Images) != want {
				t.Errorf("ListImages(filter %q) returned %d images, want %d", tt.image, len(list.Images), want)
			}
		})
	}

	// An image in use may be removed; removal is idempotent.
	podID := mustRunPod(ctx, t, r, podConfig("web"))
	ctrID := mustCreate(ctx, t, r, podID, containerConfig("main", "busybox"))
	for range 2 {
		if _, err := r.RemoveImage(ctx, &runtimeapi.RemoveImageRequest{Image: &runtimeapi.ImageSpec{Image: "busybox"}}); err != nil {
			t.Fatalf("RemoveImage: %v", err)
		}
	}
	list, err := r.ListImages(ctx, &runtimeapi.ListImagesRequest{})
	if err != nil || len(list.Images) != 1 || list.Images[0].Id != pause {
		t.Errorf("ListImages after remove = %v, %v; want only %q", list, err, pause)
	}
	if got := containerState(ctx, t, r, ctrID).ImageRef; got != busybox {
		t.Errorf("container image ref after image removal = %q, want %q", got, busybox)
	}
}

func TestImageFsInfo(t *testing.T) {
	ctx := t.Context()
	r := New(Options{RootDir: "/srv/crio-trace"})
	defer r.Close()
	var want uint64
	for _, img := range []string{"busybox", "nginx:1", "registry.k8s.io/pause:3.9"} {
		mustPull(ctx, t, r, img)
		st, err := r.ImageStatus(ctx, &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{Image: img}})
		if err != nil {
			t.Fatalf("ImageStatus: %v", err)
		}
		want += st.Image.Size
	}
	resp, err := r.ImageFsInfo(ctx, &runtimeapi.ImageFsInfoRequest{})
	if err != nil {
		t.Fatalf("ImageFsInfo: %v", err)
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{name: "one image filesystem", got: len(resp.ImageFilesystems), want: 1},
		{name: "used bytes are the sum of sizes", got: resp.ImageFilesystems[0].GetUsedBytes().GetValue(), want: want},
		{name: "inodes", got: resp.ImageFilesystems[0].GetInodesUsed().GetValue(), want: uint64(3)},
		{name: "mountpoint under root", got: resp.ImageFilesystems[0].GetFsId().GetMountpoint(), want: "/srv/crio-trace/images"},
		{name: "timestamp", got: resp.ImageFilesystems[0].GetTimestamp() > 0, want: true},
		{name: "container filesystem", got: resp.ContainerFilesystems[0].GetFsId().GetMountpoint(), want: "/srv/crio-trace/containers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
			}
		})
	}
}
