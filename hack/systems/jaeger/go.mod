// Tools module for Jaeger: kept apart so crio-trace's own go.mod stays lean.
// `go install` refuses Jaeger (its go.mod has a replace directive), so this
// module requires it, copies that replace, and build-tools.sh builds
// github.com/jaegertracing/jaeger/cmd/jaeger with Jaeger's own go.sum.
module github.com/crio-trace/crio-trace/hack/systems/jaeger

go 1.26.0

require github.com/jaegertracing/jaeger v1.76.0 // = Jaeger v2.13.0

// Copied from github.com/jaegertracing/jaeger@v1.76.0/go.mod.
replace github.com/Shopify/sarama => github.com/Shopify/sarama v1.33.0
