package onnxpb_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/tfoffload/tfoffload/internal/onnxpb"
	"github.com/tfoffload/tfoffload/internal/onnxpb/testdata/onnxcollide"
)

// TestLinksWithOtherONNXProtos: this test binary links onnxcollide, a
// generated message of ONNX's schema under ONNX's proto package "onnx",
// as a program using another Go copy of onnx.proto does. That it starts
// is the test: with onnxpb registered under "onnx" too, the protobuf
// runtime panics in init over "onnx.OperatorSetIdProto". The two share
// the wire format.
func TestLinksWithOtherONNXProtos(t *testing.T) {
	theirs, err := protoregistry.GlobalTypes.FindMessageByName("onnx.OperatorSetIdProto")
	require.NoError(t, err)
	assert.IsType(t, &onnxcollide.OperatorSetIdProto{}, theirs.New().Interface())

	data, err := proto.Marshal(&onnxcollide.OperatorSetIdProto{Domain: proto.String("ai.onnx.ml"), Version: proto.Int64(3)})
	require.NoError(t, err)
	var got onnxpb.OperatorSetIdProto
	require.NoError(t, proto.Unmarshal(data, &got))
	assert.Equal(t, "ai.onnx.ml", got.GetDomain())
	assert.Equal(t, int64(3), got.GetVersion())
}
