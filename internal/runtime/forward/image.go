package forward

// This file forwards the ImageService RPCs.

import (
	"context"

	"google.golang.org/grpc"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// ListImages forwards ListImages to the runtime.
func (b *Backend) ListImages(ctx context.Context, req *runtimeapi.ListImagesRequest) (*runtimeapi.ListImagesResponse, error) {
	return unary(ctx, b, req, b.image.ListImages)
}

// StreamImages relays the runtime's StreamImages stream.
func (b *Backend) StreamImages(req *runtimeapi.StreamImagesRequest, stream grpc.ServerStreamingServer[runtimeapi.StreamImagesResponse]) error {
	return relay(b, req, stream, b.image.StreamImages)
}

// ImageStatus forwards ImageStatus to the runtime.
func (b *Backend) ImageStatus(ctx context.Context, req *runtimeapi.ImageStatusRequest) (*runtimeapi.ImageStatusResponse, error) {
	return unary(ctx, b, req, b.image.ImageStatus)
}

// PullImage forwards PullImage to the runtime.
func (b *Backend) PullImage(ctx context.Context, req *runtimeapi.PullImageRequest) (*runtimeapi.PullImageResponse, error) {
	return unary(ctx, b, req, b.image.PullImage)
}

// RemoveImage forwards RemoveImage to the runtime.
func (b *Backend) RemoveImage(ctx context.Context, req *runtimeapi.RemoveImageRequest) (*runtimeapi.RemoveImageResponse, error) {
	return unary(ctx, b, req, b.image.RemoveImage)
}

// ImageFsInfo forwards ImageFsInfo to the runtime.
func (b *Backend) ImageFsInfo(ctx context.Context, req *runtimeapi.ImageFsInfoRequest) (*runtimeapi.ImageFsInfoResponse, error) {
	return unary(ctx, b, req, b.image.ImageFsInfo)
}
