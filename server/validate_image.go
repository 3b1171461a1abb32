package server

import (
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// validateImageSpec rejects PullImage, ImageStatus and RemoveImage requests
// that name no image.
func validateImageSpec(spec *runtimeapi.ImageSpec) error {
	switch {
	case spec == nil:
		return errRequired("image")
	case spec.GetImage() == "":
		return errRequired("image.image")
	}
	return nil
}
