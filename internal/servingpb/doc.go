// Package servingpb holds Go types generated from the project's own copy of
// TensorFlow Serving's API messages: ModelSpec, Predict, Classify, Regress,
// GetModelMetadata and GetModelStatus requests and responses, and the
// tf.Example inputs they carry.
//
// Every message and field keeps TensorFlow Serving's name and field number,
// so requests from TensorFlow Serving's clients decode unchanged; the proto
// package is "tfoffload.serving" so that these types never collide with
// TensorFlow Serving's own generated Go protos in one binary.
//
// The *.pb.go files are generated; do not edit them. After changing the
// .proto file, regenerate with
//
//	go generate ./internal/servingpb
package servingpb

//go:generate bash ../../scripts/gen-proto.sh servingpb
