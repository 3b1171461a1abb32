package embedded

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Synthetic image sizes: every image is baseImageSize plus up to 256 KiB
// derived from its id, so sizes are stable across runs and differ between
// images.
const (
	baseImageSize = 2 << 20
	imageSizeStep = 4 << 10
)

// ImageStatus returns the image named by a reference, an image id or a
// unique id prefix; the image is nil, not an error, when it is absent, as
// CRI says. With verbose it adds an "info" entry, a JSON object.
func (r *Runtime) ImageStatus(_ context.Context, req *runtimeapi.ImageStatusRequest) (*runtimeapi.ImageStatusResponse, error) {
	name := req.GetImage().GetImage()
	if name == "" {
		return nil, status.Error(codes.InvalidArgument, "image.image is required")
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	img := r.findImageLocked(name)
	if img == nil {
		return &runtimeapi.ImageStatusResponse{}, nil
	}
	resp := &runtimeapi.ImageStatusResponse{Image: img.toProto()}
	if req.GetVerbose() {
		resp.Info = map[string]string{"info": mustJSON(map[string]any{
			"id":       img.id,
			"size":     img.size,
			"embedded": true,
		})}
	}
	return resp, nil
}

// ListImages lists the stored images, or only the one the filter names,
// sorted by id.
func (r *Runtime) ListImages(_ context.Context, req *runtimeapi.ListImagesRequest) (*runtimeapi.ListImagesResponse, error) {
	return &runtimeapi.ListImagesResponse{Images: r.listImages(req.GetFilter())}, nil
}

func (r *Runtime) listImages(f *runtimeapi.ImageFilter) []*runtimeapi.Image {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if name := f.GetImage().GetImage(); name != "" {
		if img := r.findImageLocked(name); img != nil {
			return []*runtimeapi.Image{img.toProto()}
		}
		return nil
	}
	ids := make([]string, 0, len(r.images))
	for id := range r.images {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]*runtimeapi.Image, len(ids))
	for i, id := range ids {
		out[i] = r.images[id].toProto()
	}
	return out
}

// RemoveImage removes the image named by a reference, an id or a unique id
// prefix. Removing an absent image succeeds, and an image still used by a
// container may be removed (the container keeps its image ref), as in
// containerd.
func (r *Runtime) RemoveImage(_ context.Context, req *runtimeapi.RemoveImageRequest) (*runtimeapi.RemoveImageResponse, error) {
	name := req.GetImage().GetImage()
	if name == "" {
		return nil, status.Error(codes.InvalidArgument, "image.image is required")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if img := r.findImageLocked(name); img != nil {
		delete(r.images, img.id)
	}
	return &runtimeapi.RemoveImageResponse{}, nil
}

// findImageLocked finds an image by id (with or without "sha256:"), by
// reference (matched against tags and digests after normalization), or by a
// unique id prefix. Callers hold mu.
func (r *Runtime) findImageLocked(name string) *image {
	id := name
	if !strings.HasPrefix(id, "sha256:") && isHex64(id) {
		id = "sha256:" + id
	}
	if img, ok := r.images[id]; ok {
		return img
	}
	if ref, err := ParseReference(name); err == nil {
		want := ref.String()
		for _, img := range r.images {
			if slices.Contains(img.repoTags, want) || slices.Contains(img.repoDigests, want) {
				return img
			}
		}
	}
	prefix := strings.TrimPrefix(name, "sha256:")
	if prefix == "" || strings.IndexFunc(prefix, func(c rune) bool { return !isLowerHex(byte(c)) || c > 0x7f }) >= 0 {
		return nil
	}
	var found *image
	for key, img := range r.images {
		if strings.HasPrefix(key, "sha256:"+prefix) {
			if found != nil {
				return nil // ambiguous
			}
			found = img
		}
	}
	return found
}

// newImage builds the stored image for a parsed reference. Its id is the
// sha256 of the normalized reference, so it is stable across runs.
func newImage(ref Reference) *image {
	sum := sha256.Sum256([]byte(ref.String()))
	img := &image{
		id:   "sha256:" + hex.EncodeToString(sum[:]),
		size: baseImageSize + uint64(binary.BigEndian.Uint16(sum[:2])>>10)*imageSizeStep,
		spec: &runtimeapi.ImageSpec{Image: ref.String()},
	}
	if ref.Tag != "" {
		img.repoTags = []string{ref.Name() + ":" + ref.Tag}
	}
	digest := ref.Digest
	if digest == "" {
		digest = img.id
	}
	img.repoDigests = []string{ref.Name() + "@" + digest}
	return img
}

// normalizeKey normalizes an image reference used as a map key; a string
// that does not parse is kept as it is.
func normalizeKey(s string) string {
	if ref, err := ParseReference(s); err == nil {
		return ref.String()
	}
	return s
}
