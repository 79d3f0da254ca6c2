// Package tfpb holds Go types generated from the project's own copies of
// TensorFlow's protobuf schemas: tensors and shapes, GraphDef and its
// NodeDef/AttrValue/FunctionDef parts, MetaGraphDef and SavedModel, the TF2
// SavedObjectGraph, the checkpoint TrackableObjectGraph, the tensor bundle
// (.index) entries, and the tf.Example and SequenceExample records that
// the parsing ops decode.
//
// The .proto files in this directory are written for this project, but every
// message, field and enum keeps TensorFlow's name (proto package
// "tensorflow") and field number, so frozen graphs, saved_model.pb files and
// checkpoints written by TensorFlow decode unchanged. Fields added upstream
// later are kept as unknown fields and survive a re-marshal.
//
// The *.pb.go files are generated; do not edit them. After changing a .proto
// file, regenerate with
//
//	go generate ./internal/tfpb ./internal/onnxpb
//
// which runs scripts/gen-proto.sh (needs protoc; uses the protoc-gen-go
// version pinned by go.mod's tool directive).
package tfpb

//go:generate bash ../../scripts/gen-proto.sh tfpb
