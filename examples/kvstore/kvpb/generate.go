// Package kvpb is the kvstore example's gRPC API, generated from kv.proto.
//
// Regenerate with protoc 3.21 (Debian's protobuf-compiler),
// protoc-gen-go v1.36.12 and protoc-gen-go-grpc v1.5.1 on PATH:
//
//	go generate ./examples/kvstore/kvpb
package kvpb

//go:generate protoc --go_out=. --go_opt=paths=source_relative --go-grpc_out=. --go-grpc_opt=paths=source_relative kv.proto
