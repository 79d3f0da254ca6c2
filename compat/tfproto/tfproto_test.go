package tfproto_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	tf "github.com/tfoffload/tfoffload/compat/tf"
	"github.com/tfoffload/tfoffload/compat/tfproto"
)

// TestMessagesRoundTrip: the aliases are the messages tfoffload reads, so
// a SignatureDef built through them reads back with TensorFlow's numbers.
func TestMessagesRoundTrip(t *testing.T) {
	sig := &tfproto.SignatureDef{
		MethodName: "tensorflow/serving/predict",
		Inputs: map[string]*tfproto.TensorInfo{"x": {
			Encoding: &tfproto.TensorInfo_Name{Name: "x:0"},
			Dtype:    tfproto.DataType_DT_FLOAT,
		}},
	}
	b, err := proto.Marshal(sig)
	require.NoError(t, err)
	var back tfproto.SignatureDef
	require.NoError(t, proto.Unmarshal(b, &back))
	assert.Equal(t, "x:0", back.GetInputs()["x"].GetName())
	assert.Equal(t, int32(tf.Float), int32(back.GetInputs()["x"].GetDtype()))
	assert.Equal(t, "DT_HALF", tfproto.DataType_name[int32(tf.Half)])
}
