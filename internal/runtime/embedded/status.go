package embedded

import (
	"context"
	"encoding/json"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Status reports the RuntimeReady and NetworkReady conditions, both true:
// the embedded runtime has nothing that can fail. With verbose it adds an
// "info" entry, a JSON object describing the runtime.
func (r *Runtime) Status(_ context.Context, req *runtimeapi.StatusRequest) (*runtimeapi.StatusResponse, error) {
	resp := &runtimeapi.StatusResponse{
		Status: &runtimeapi.RuntimeStatus{Conditions: []*runtimeapi.RuntimeCondition{
			{Type: runtimeapi.RuntimeReady, Status: true},
			{Type: runtimeapi.NetworkReady, Status: true},
		}},
		RuntimeHandlers: []*runtimeapi.RuntimeHandler{{Name: "", Features: &runtimeapi.RuntimeHandlerFeatures{}}},
	}
	if req.GetVerbose() {
		r.mu.RLock()
		info := map[string]any{
			"runtime":    RuntimeName,
			"version":    RuntimeVersion,
			"embedded":   true,
			"rootDir":    r.rootDir,
			"sandboxes":  len(r.sandboxes),
			"containers": len(r.containers),
			"images":     len(r.images),
		}
		r.mu.RUnlock()
		resp.Info = map[string]string{"info": mustJSON(info)}
	}
	return resp, nil
}

// RuntimeConfig reports the cgroupfs cgroup driver.
func (r *Runtime) RuntimeConfig(context.Context, *runtimeapi.RuntimeConfigRequest) (*runtimeapi.RuntimeConfigResponse, error) {
	return &runtimeapi.RuntimeConfigResponse{
		Linux: &runtimeapi.LinuxRuntimeConfiguration{CgroupDriver: runtimeapi.CgroupDriver_CGROUPFS},
	}, nil
}

// UpdateRuntimeConfig accepts the update (kubelet sends the pod CIDR) and
// ignores it: the embedded runtime gives every pod 127.0.0.1.
func (r *Runtime) UpdateRuntimeConfig(context.Context, *runtimeapi.UpdateRuntimeConfigRequest) (*runtimeapi.UpdateRuntimeConfigResponse, error) {
	return &runtimeapi.UpdateRuntimeConfigResponse{}, nil
}

// mustJSON encodes v, which is built from maps of strings and numbers only
// and so always encodes.
func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}
