package systems_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// podInfo is what the tests read of a pod from the API server.
type podInfo struct {
	Name, UID, Phase string
	// Waiting is the reason of the first container that is waiting
	// (ErrImagePull, ContainerCreating...), empty when none is.
	Waiting string
}

// apiPod is the part of a v1.Pod the tests decode.
type apiPod struct {
	Metadata struct {
		Name string `json:"name"`
		UID  string `json:"uid"`
	} `json:"metadata"`
	Status struct {
		Phase             string `json:"phase"`
		ContainerStatuses []struct {
			State struct {
				Waiting *struct {
					Reason string `json:"reason"`
				} `json:"waiting"`
			} `json:"state"`
		} `json:"containerStatuses"`
	} `json:"status"`
}

func (p apiPod) info() podInfo {
	i := podInfo{Name: p.Metadata.Name, UID: p.Metadata.UID, Phase: p.Status.Phase}
	for _, cs := range p.Status.ContainerStatuses {
		if cs.State.Waiting != nil {
			i.Waiting = cs.State.Waiting.Reason
			break
		}
	}
	return i
}

// getJSON GETs path from the API server as admin and decodes the answer;
// found is false on 404.
func (cp *controlPlane) getJSON(ctx context.Context, path string, out any) (found bool, err error) {
	c, err := cp.adminHTTP()
	if err != nil {
		return false, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cp.server+path, nil)
	if err != nil {
		return false, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return false, nil
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return false, fmt.Errorf("GET %s: %s: %s", path, resp.Status, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return false, fmt.Errorf("decoding GET %s: %w", path, err)
	}
	return true, nil
}

// nodeReady reports whether the node's Ready condition is True.
func (cp *controlPlane) nodeReady(ctx context.Context, name string) (bool, error) {
	var node struct {
		Status struct {
			Conditions []struct {
				Type, Status, Message string
			} `json:"conditions"`
		} `json:"status"`
	}
	found, err := cp.getJSON(ctx, "/api/v1/nodes/"+url.PathEscape(name), &node)
	if err != nil || !found {
		return false, err
	}
	for _, c := range node.Status.Conditions {
		if c.Type == "Ready" {
			if c.Status != "True" {
				return false, fmt.Errorf("node %s not Ready: %s", name, c.Message)
			}
			return true, nil
		}
	}
	return false, fmt.Errorf("node %s has no Ready condition yet", name)
}

// pods lists the pods of namespace matching the label selector.
func (cp *controlPlane) pods(ctx context.Context, namespace, selector string) ([]podInfo, error) {
	var list struct {
		Items []apiPod `json:"items"`
	}
	path := "/api/v1/namespaces/" + url.PathEscape(namespace) + "/pods"
	if selector != "" {
		path += "?labelSelector=" + url.QueryEscape(selector)
	}
	if _, err := cp.getJSON(ctx, path, &list); err != nil {
		return nil, err
	}
	out := make([]podInfo, 0, len(list.Items))
	for _, p := range list.Items {
		out = append(out, p.info())
	}
	return out, nil
}

// pod reads one pod; found is false when it does not exist.
func (cp *controlPlane) pod(ctx context.Context, namespace, name string) (podInfo, bool, error) {
	var p apiPod
	found, err := cp.getJSON(ctx, "/api/v1/namespaces/"+url.PathEscape(namespace)+"/pods/"+url.PathEscape(name), &p)
	return p.info(), found, err
}
