// Package onnxpb holds Go types generated from the project's own copy of the
// ONNX model schema (onnx.proto): ModelProto, GraphProto, NodeProto,
// AttributeProto, TensorProto, TypeProto and the rest.
//
// The schema is written for this project, but every message, field and enum
// keeps ONNX's name and field number, and like ONNX it
// is proto2, so field presence is observable (optional scalars are pointers;
// use the generated getters and proto.Int64/proto.String to set them). Real
// .onnx files and ONNX test-data tensors decode unchanged; fields added
// upstream later are kept as unknown fields and survive a re-marshal. The
// proto package is "tfoffload.onnx", not ONNX's "onnx", so that a program
// linking another Go copy of onnx.proto does not make the protobuf runtime
// panic at start-up over a name registered twice; the wire format carries
// no package names.
//
// The *.pb.go files are generated; do not edit them. After changing
// onnx.proto, regenerate with
//
//	go generate ./internal/tfpb ./internal/onnxpb
//
// which runs scripts/gen-proto.sh (needs protoc; uses the protoc-gen-go
// version pinned by go.mod's tool directive).
package onnxpb

//go:generate bash ../../scripts/gen-proto.sh onnxpb
