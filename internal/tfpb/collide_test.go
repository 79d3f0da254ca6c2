package tfpb_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/internal/tfpb/testdata/tfcollide"
)

// TestLinksWithTensorFlowProtos: this test binary links tfcollide, a
// generated copy of TensorFlow's tensor_shape.proto under TensorFlow's proto
// package, as a TF Serving client or graft links TensorFlow's protos. That
// it starts at all is the test: with tfpb registered under "tensorflow" too,
// the protobuf runtime panics in init over "tensorflow.TensorShapeProto".
// Both types then live side by side and share the wire format.
func TestLinksWithTensorFlowProtos(t *testing.T) {
	theirs, err := protoregistry.GlobalTypes.FindMessageByName("tensorflow.TensorShapeProto")
	require.NoError(t, err)
	assert.IsType(t, &tfcollide.TensorShapeProto{}, theirs.New().Interface())
	mine, err := protoregistry.GlobalTypes.FindMessageByName(tfpb.ProtoPackage + ".TensorShapeProto")
	require.NoError(t, err)
	assert.IsType(t, &tfpb.TensorShapeProto{}, mine.New().Interface())

	data, err := proto.Marshal(&tfcollide.TensorShapeProto{Dim: []*tfcollide.TensorShapeProto_Dim{{Size: 3, Name: "c"}, {Size: -1}}})
	require.NoError(t, err)
	var got tfpb.TensorShapeProto
	require.NoError(t, proto.Unmarshal(data, &got))
	require.Len(t, got.GetDim(), 2)
	assert.Equal(t, int64(3), got.GetDim()[0].GetSize())
	assert.Equal(t, "c", got.GetDim()[0].GetName())
	assert.Equal(t, int64(-1), got.GetDim()[1].GetSize())

	// TensorFlow's names in data still resolve to tfpb's messages.
	mt, err := tfpb.Resolver.FindMessageByName("tensorflow.TensorShapeProto")
	require.NoError(t, err)
	assert.IsType(t, &tfpb.TensorShapeProto{}, mt.New().Interface())
}

// TestResolverReadsTensorFlowNames: the Any fields of SavedModels name
// TensorFlow's messages ("type.googleapis.com/tensorflow.AssetFileDef");
// with Resolver they decode into tfpb's, in binary and text protos.
func TestResolverReadsTensorFlowNames(t *testing.T) {
	asset := &tfpb.AssetFileDef{Filename: "vocab.txt", TensorInfo: &tfpb.TensorInfo{Encoding: &tfpb.TensorInfo_Name{Name: "Const:0"}}}
	value, err := proto.Marshal(asset)
	require.NoError(t, err)
	a := &anypb.Any{TypeUrl: "type.googleapis.com/tensorflow.AssetFileDef", Value: value}
	m, err := anypb.UnmarshalNew(a, proto.UnmarshalOptions{Resolver: tfpb.Resolver})
	require.NoError(t, err)
	assert.True(t, proto.Equal(asset, m))

	const text = `collection_def {
  key: "saved_model_assets"
  value { any_list { value {
    [type.googleapis.com/tensorflow.AssetFileDef] { tensor_info { name: "Const:0" } filename: "vocab.txt" }
  } } }
}`
	var mg tfpb.MetaGraphDef
	require.NoError(t, prototext.UnmarshalOptions{Resolver: tfpb.Resolver}.Unmarshal([]byte(text), &mg))
	got := mg.GetCollectionDef()["saved_model_assets"].GetAnyList().GetValue()
	require.Len(t, got, 1)
	assert.Equal(t, "type.googleapis.com/tensorflow.AssetFileDef", got[0].GetTypeUrl(), "the type URL is kept as TensorFlow wrote it")
	assert.Equal(t, value, got[0].GetValue())
	// Without the resolver "tensorflow.AssetFileDef" is unknown
	// (tfcollide registers TensorShapeProto only).
	assert.Error(t, prototext.Unmarshal([]byte(text), &tfpb.MetaGraphDef{}))

	_, err = tfpb.Resolver.FindMessageByURL("type.googleapis.com/tensorflow.NoSuchMessage")
	assert.ErrorIs(t, err, protoregistry.NotFound)
	ext, err := tfpb.Resolver.FindExtensionByName(protoreflect.FullName("tensorflow.nothing"))
	assert.Nil(t, ext)
	assert.ErrorIs(t, err, protoregistry.NotFound)
}
