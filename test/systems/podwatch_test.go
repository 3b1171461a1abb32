package systems_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// podWatch is an open watch on one pod of namespace default.
type podWatch struct {
	body   io.ReadCloser
	dec    *json.Decoder
	cancel context.CancelFunc
}

// watchPod opens a watch on the pod named name; it is established when
// watchPod returns, so no change made afterwards is missed.
func (cp *controlPlane) watchPod(ctx context.Context, name string) (*podWatch, error) {
	c, err := cp.adminHTTP()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	q := url.Values{"watch": {"true"}, "fieldSelector": {"metadata.name=" + name}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cp.server+"/api/v1/namespaces/default/pods?"+q.Encode(), nil)
	if err != nil {
		cancel()
		return nil, err
	}
	// The admin client's timeout would cut the stream; the context bounds it.
	stream := *c
	stream.Timeout = 0
	resp, err := stream.Do(req)
	if err != nil {
		cancel()
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		cancel()
		return nil, fmt.Errorf("watching pod %s: %s", name, resp.Status)
	}
	return &podWatch{body: resp.Body, dec: json.NewDecoder(resp.Body), cancel: cancel}, nil
}

// until reads events until the pod's phase is phase and returns when the
// event arrived, or fails after timeout.
func (w *podWatch) until(phase string, timeout time.Duration) (time.Time, error) {
	timer := time.AfterFunc(timeout, w.cancel)
	defer timer.Stop()
	var last string
	for {
		var ev struct {
			Type   string `json:"type"`
			Object apiPod `json:"object"`
		}
		if err := w.dec.Decode(&ev); err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return time.Time{}, fmt.Errorf("pod not %s after %s (last seen %q)", phase, timeout, last)
			}
			return time.Time{}, fmt.Errorf("reading the watch: %w (last seen %q)", err, last)
		}
		now := time.Now()
		info := ev.Object.info()
		last = info.Phase + "/" + info.Waiting
		if ev.Type != "DELETED" && info.Phase == phase {
			return now, nil
		}
	}
}

// close ends the watch.
func (w *podWatch) close() {
	w.cancel()
	w.body.Close()
}
