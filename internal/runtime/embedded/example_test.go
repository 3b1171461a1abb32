package embedded_test

import (
	"context"
	"fmt"

	grpcstatus "google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/crio-trace/crio-trace/internal/runtime/embedded"
)

// Example runs a pod with one container through the embedded runtime, the
// same calls kubelet makes, and shows a failing container.
func Example() {
	ctx := context.Background()
	r := embedded.New(embedded.Options{})
	defer r.Close()

	pulled, _ := r.PullImage(ctx, &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: "busybox"}})
	img, _ := r.ImageStatus(ctx, &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{Image: pulled.ImageRef}})
	fmt.Println("pulled", img.Image.RepoTags[0])

	pod, _ := r.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: &runtimeapi.PodSandboxConfig{
		Metadata: &runtimeapi.PodSandboxMetadata{Name: "web", Namespace: "default", Uid: "1234"},
	}})
	start := func(name string, command ...string) string {
		ctr, _ := r.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{
			PodSandboxId: pod.PodSandboxId,
			Config: &runtimeapi.ContainerConfig{
				Metadata: &runtimeapi.ContainerMetadata{Name: name},
				Image:    &runtimeapi.ImageSpec{Image: "busybox"},
				Command:  command,
			},
		})
		if _, err := r.StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: ctr.ContainerId}); err != nil {
			fmt.Println("start", name, "failed:", status(err))
		}
		return ctr.ContainerId
	}
	for _, id := range []string{start("main", "sleep", "3600"), start("broken", embedded.FailingCommand)} {
		st, _ := r.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: id})
		fmt.Printf("%s %v exit %d reason %q\n", st.Status.Metadata.Name, st.Status.State, st.Status.ExitCode, st.Status.Reason)
	}
	// Output:
	// pulled docker.io/library/busybox:latest
	// start broken failed: FailedPrecondition
	// main CONTAINER_RUNNING exit 0 reason ""
	// broken CONTAINER_EXITED exit 1 reason "Error"
}

// status returns the gRPC code of err, without its message, which holds a
// random id.
func status(err error) string {
	return grpcstatus.Code(err).String()
}
