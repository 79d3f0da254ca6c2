// Package tfpb holds Go types generated from the project's own copies of
// TensorFlow's protobuf schemas: tensors and shapes, GraphDef and its
// NodeDef/AttrValue/FunctionDef parts, MetaGraphDef and SavedModel, the TF2
// SavedObjectGraph, the checkpoint TrackableObjectGraph, the tensor bundle
// (.index) entries, the tf.Example and SequenceExample records that
// the parsing ops decode, and the session settings of ConfigProto (a
// subset: threads, devices, placement, basic GPU options).
//
// The .proto files in this directory are written for this project, but every
// message, field and enum keeps TensorFlow's name and field number, so
// frozen graphs, saved_model.pb files and checkpoints written by TensorFlow
// decode unchanged. Fields added upstream later are kept as unknown fields
// and survive a re-marshal.
//
// # The proto package
//
// The messages are registered under the proto package "tfoffload.tensorflow",
// not TensorFlow's "tensorflow": a program that links TensorFlow's own
// generated Go protos as well (a TensorFlow Serving client, graft's
// core/protobuf packages) would otherwise register "tensorflow.GraphDef"
// twice, and the protobuf runtime panics at start-up on such a conflict.
// The binary wire format does not carry package names, so nothing changes
// there. Where a name does appear in data, the type URL of a
// google.protobuf.Any ("type.googleapis.com/tensorflow.AssetFileDef") and
// the expanded Any syntax of text protos, [Resolver] maps TensorFlow's names
// to these messages; text protos must be read with it.
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
