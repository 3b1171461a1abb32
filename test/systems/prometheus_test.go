package systems_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// promSeries is one series of an instant query's vector result.
type promSeries struct {
	Metric map[string]string `json:"metric"`
	Value  []any             `json:"value"`
}

// promQuery runs an instant PromQL query.
func promQuery(ctx context.Context, base, query string) ([]promSeries, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/query?query="+url.QueryEscape(query), nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string       `json:"resultType"`
			Result     []promSeries `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("decoding Prometheus's answer to %q: %w", query, err)
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("Prometheus query %q: %s", query, body.Error)
	}
	return body.Data.Result, nil
}
