package tensorflow

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/compat/tfproto"
)

// TestSessionConfig: a ConfigProto marshalled as graft's users do sets the
// session's intra-op threads, and the session runs as without it.
func TestSessionConfig(t *testing.T) {
	cfg, err := proto.Marshal(&tfproto.ConfigProto{
		IntraOpParallelismThreads: 2,
		InterOpParallelismThreads: 4,
		DeviceCount:               map[string]int32{"GPU": 0, "CPU": 1},
		AllowSoftPlacement:        true,
		LogDevicePlacement:        false,
		GpuOptions:                &tfproto.GPUOptions{AllowGrowth: true, PerProcessGpuMemoryFraction: 0.5},
	})
	require.NoError(t, err)
	g := smallGraph(t)
	s, err := NewSession(g, &SessionOptions{Config: cfg})
	require.NoError(t, err)
	defer s.Close()
	require.NotNil(t, s.engine)
	assert.Equal(t, 2, s.engine.IntraOpThreads, "intra_op_parallelism_threads")
	assert.Zero(t, s.engine.InterOpThreads, "inter-op threads are left to bridge")
	x, err := NewTensor([][]float32{{0, 0, 0}, {1, 1, 1}})
	require.NoError(t, err)
	out, err := s.Run(map[Output]*Tensor{g.Operation("x").Output(0): x}, []Output{g.Operation("sum").Output(0)}, nil)
	require.NoError(t, err)
	assert.Equal(t, [][]float32{{1, 2, 3}, {2, 3, 4}}, out[0].Value())
}

// TestSessionConfigWire decodes bytes written field by field with
// TensorFlow's field numbers (config.proto): intra_op_parallelism_threads
// (2) = 3, allow_soft_placement (7) = true, and graph_options (10), a
// field tfoffload's subset leaves out, empty.
func TestSessionConfigWire(t *testing.T) {
	wire := []byte{2<<3 | 0, 3, 7<<3 | 0, 1, 10<<3 | 2, 0}
	s, err := NewSession(smallGraph(t), &SessionOptions{Config: wire})
	require.NoError(t, err)
	require.NotNil(t, s.engine)
	assert.Equal(t, 3, s.engine.IntraOpThreads)

	var cfg tfproto.ConfigProto
	require.NoError(t, proto.Unmarshal(wire, &cfg))
	assert.True(t, cfg.GetAllowSoftPlacement())

	for _, empty := range [][]byte{nil, {}} {
		s, err := NewSession(smallGraph(t), &SessionOptions{Config: empty})
		require.NoError(t, err)
		assert.Nil(t, s.engine, "no Config: bridge's defaults")
	}
}

func TestSessionConfigInvalid(t *testing.T) {
	neg, err := proto.Marshal(&tfproto.ConfigProto{IntraOpParallelismThreads: -1})
	require.NoError(t, err)
	for name, cfg := range map[string][]byte{
		"truncated varint":  {2 << 3, 0x80},
		"wrong wire type":   {2<<3 | 2, 5, 1},
		"negative threads":  neg,
		"truncated message": {6<<3 | 2, 10, 1},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := NewSession(smallGraph(t), &SessionOptions{Config: cfg})
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidConfig)
			assert.Contains(t, err.Error(), "SessionOptions.Config")
		})
	}
}
