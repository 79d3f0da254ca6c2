package serve

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/internal/servingpb"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

const (
	nsfwjs   = "tfjs/nsfwjs_mobilenet_v2"
	addition = "frozen/tiny/addition.pb"
)

// randomImages returns n images [n,224,224,3] with values in 0..1.
func randomImages(n int, seed uint64) *tensor.Tensor {
	rng := rand.New(rand.NewPCG(seed, 1))
	vals := make([]float32, n*224*224*3)
	for i := range vals {
		vals[i] = rng.Float32()
	}
	return tensor.MustFromSlice(tensor.Shape{n, 224, 224, 3}, vals)
}

// TestTFJSModel serves the nsfwjs MobileNetV2 TF.js model: the REST and
// gRPC answers (keyed as its model.json signature keys them, "input:0")
// equal a direct bridge run of the same session type, a
// wrong image size is a 400 naming the expected shape.
func TestTFJSModel(t *testing.T) {
	r := start(t, Config{Models: []ModelConfig{{Name: "nsfw", BasePath: modelBase(t, nsfwjs)}}})
	direct, err := bridge.LoadSession(testutil.SharedModel(t, nsfwjs))
	require.NoError(t, err)
	defer direct.Close()
	img := randomImages(2, 7)
	want, err := direct.Run(context.Background(), map[string]*tensor.Tensor{"input:0": img}, []string{"Identity:0"})
	require.NoError(t, err)

	t.Run("grpc", func(t *testing.T) {
		in, err := tensor.ToTFProto(img)
		require.NoError(t, err)
		var resp servingpb.PredictResponse
		require.NoError(t, invoke(t, r, "/tensorflow.serving.PredictionService/Predict",
			&servingpb.PredictRequest{ModelSpec: &servingpb.ModelSpec{Name: "nsfw"}, Inputs: map[string]*tfpb.TensorProto{"input:0": in}}, &resp))
		got, err := tensor.FromTFProto(resp.GetOutputs()["Identity:0"])
		require.NoError(t, err)
		assert.NoError(t, tensor.Compare(got, want[0], tensor.Tolerance{}))
	})

	t.Run("rest", func(t *testing.T) {
		var b bytes.Buffer
		b.WriteString(`{"instances":`)
		require.NoError(t, writeTensorJSON(&b, img, -1, false))
		b.WriteString(`}`)
		code, body := r.do(t, "POST", "/v1/models/nsfw:predict", b.String())
		require.Equal(t, 200, code, body)
		var resp struct{ Predictions [][]float32 }
		require.NoError(t, json.Unmarshal([]byte(body), &resp))
		got := tensor.MustFromSlice(tensor.Shape{2, 5}, append(resp.Predictions[0], resp.Predictions[1]...))
		assert.NoError(t, tensor.Compare(got, want[0], tensor.Tolerance{}), "JSON floats read back exactly")
	})

	t.Run("wrong shape", func(t *testing.T) {
		code, body := r.do(t, "POST", "/v1/models/nsfw:predict", `{"instances": [[[[0.5, 0.5, 0.5]]]]}`)
		assert.Equal(t, 400, code)
		assert.Contains(t, body, "expects shape [?,224,224,3]")
	})
}

// TestFrozenGraph serves a frozen .pb with no signature: a
// serving_default made from its placeholders and sinks.
func TestFrozenGraph(t *testing.T) {
	r := start(t, Config{Models: []ModelConfig{{Name: "add", BasePath: modelBase(t, addition)}}})
	code, body := r.do(t, "POST", "/v1/models/add:predict", `{"inputs": {"x": 2, "y": 40}}`)
	assert.Equal(t, 200, code)
	assert.Equal(t, `{"outputs":42}`, body)
	code, body = r.do(t, "POST", "/v1/models/add:predict", `{"instances": [{"x": 2, "y": 40}]}`)
	assert.Equal(t, 400, code, "a scalar input cannot take an instance dimension: %s", body)
	code, body = r.do(t, "POST", "/v1/models/add:predict", `{"inputs": {"x": 2.5, "y": 40}}`)
	assert.Equal(t, 400, code)
	assert.Contains(t, body, "input x: expects int32 but got 2.5")
	code, body = r.do(t, "GET", "/v1/models/add/metadata", "")
	assert.Equal(t, 200, code)
	assert.Contains(t, body, `"x":{"name":"x:0","dtype":"DT_INT32","tensor_shape":{"dim":[],"unknown_rank":false}}`)
}

// TestShutdownFinishesInFlight: Shutdown while clients send requests
// (held in the batcher's 100 ms window) answers every accepted request;
// a client only ever sees a 200 or a refused connection, never an error
// response.
func TestShutdownFinishesInFlight(t *testing.T) {
	cfg := BatchingConfig{MaxBatchSize: 64, BatchTimeout: 100 * time.Millisecond, MaxEnqueuedBatches: 8, NumBatchThreads: 1}
	srv, err := New(Config{Models: []ModelConfig{{Name: "m", BasePath: modelBase(t, halfPlusTwo)}}, Batching: &cfg, Logger: testLogger(t)})
	require.NoError(t, err)
	r := &running{srv: srv}
	rl := listen(t)
	r.rest = "http://" + rl.Addr().String()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(nil, rl) }()

	var ok, refused, bad atomic.Int64
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	stop := make(chan struct{})
	for i := range 16 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := client.Post(r.rest+"/v1/models/m:predict", "application/json", bytes.NewBufferString(fmt.Sprintf(`{"instances": [%d.0]}`, i)))
				if err != nil {
					refused.Add(1)
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 && string(b) == fmt.Sprintf(`{"predictions":[%s]}`, formatJSONNumber(0.5*float64(i)+2, true, 32)) {
					ok.Add(1)
				} else {
					bad.Add(1)
				}
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, srv.Shutdown(ctx))
	require.NoError(t, <-done)
	close(stop)
	wg.Wait()
	assert.Zero(t, bad.Load(), "error responses during shutdown")
	assert.Greater(t, ok.Load(), int64(16))
	assert.False(t, srv.Ready())
	t.Logf("%d answered, %d refused after shutdown began", ok.Load(), refused.Load())
}

// TestModelConfigFile parses TensorFlow Serving's model config and
// batching parameters text formats.
func TestModelConfigFile(t *testing.T) {
	got, err := ParseModelConfig([]byte(`
model_config_list {
  config { name: "a" base_path: "/m/a" model_platform: "tensorflow" }
  config {
    name: "b" base_path: "/m/b"
    model_version_policy { specific { versions: 1 versions: 3 } }
    version_labels { key: "stable" value: 1 }
  }
  config { name: "c" base_path: "/m/c" model_version_policy { latest { num_versions: 2 } } }
  config { name: "d" base_path: "/m/d" model_version_policy { all {} } }
}`))
	require.NoError(t, err)
	assert.Equal(t, []ModelConfig{
		{Name: "a", BasePath: "/m/a"},
		{Name: "b", BasePath: "/m/b", Policy: VersionPolicy{Specific: []int64{1, 3}}, Labels: map[string]int64{"stable": 1}},
		{Name: "c", BasePath: "/m/c", Policy: VersionPolicy{Latest: 2}},
		{Name: "d", BasePath: "/m/d", Policy: VersionPolicy{All: true}},
	}, got)
	for name, bad := range map[string]string{
		"syntax":   `model_config_list { config { name: "a" `,
		"platform": `model_config_list { config { name: "a" base_path: "/x" model_platform: "pytorch" } }`,
		"empty":    ``,
		"unknown":  `model_config_list { config { name: "a" base_path: "/x" flavour: 1 } }`,
	} {
		_, err := ParseModelConfig([]byte(bad))
		assert.ErrorIs(t, err, ErrConfig, name)
	}

	b, err := ParseBatchingParameters([]byte(`max_batch_size { value: 16 } batch_timeout_micros { value: 2000 } num_batch_threads { value: 4 }`))
	require.NoError(t, err)
	assert.Equal(t, BatchingConfig{MaxBatchSize: 16, BatchTimeout: 2 * time.Millisecond, MaxEnqueuedBatches: 100, NumBatchThreads: 4}, b)
	_, err = ParseBatchingParameters([]byte(`max_batch_size { value: 0 }`))
	assert.ErrorIs(t, err, ErrConfig)
	_, err = ParseBatchingParameters([]byte(`max_batch_size: 3`))
	assert.ErrorIs(t, err, ErrConfig)

	_, err = New(Config{Models: []ModelConfig{{Name: "a", BasePath: "/x"}, {Name: "a", BasePath: "/y"}}})
	assert.ErrorIs(t, err, ErrConfig)
	_, err = New(Config{})
	assert.ErrorIs(t, err, ErrConfig)
}

// TestRequestTimeout: a request over the time limit is DEADLINE_EXCEEDED,
// HTTP 504, with and without batching.
func TestRequestTimeout(t *testing.T) {
	base := modelBase(t, nsfwjs)
	for name, batching := range map[string]*BatchingConfig{"direct": nil, "batched": {MaxBatchSize: 4, BatchTimeout: time.Millisecond, MaxEnqueuedBatches: 2, NumBatchThreads: 1}} {
		t.Run(name, func(t *testing.T) {
			r := start(t, Config{Models: []ModelConfig{{Name: "nsfw", BasePath: base}}, RequestTimeout: time.Millisecond, Batching: batching})
			var b bytes.Buffer
			b.WriteString(`{"instances":`)
			require.NoError(t, writeTensorJSON(&b, randomImages(1, 3), -1, false))
			b.WriteString(`}`)
			code, body := r.do(t, "POST", "/v1/models/nsfw:predict", b.String())
			assert.Equal(t, 504, code, body)
			assert.Contains(t, body, "exceeded its time limit")
			_, metrics := r.do(t, "GET", "/metrics", "")
			assert.Contains(t, metrics, `tfoffload_serve_requests_total{model="nsfw",method="predict",code="DEADLINE_EXCEEDED"} 1`)
		})
	}
}

// TestBinaryInput sends a WAV file as a {"b64": ...} string to the DS_CNN
// keyword-spotting frozen graph (a string scalar input; DecodeWav and
// Mfcc stay on the executor): the model hears "yes", label index 2.
func TestBinaryInput(t *testing.T) {
	r := start(t, Config{Models: []ModelConfig{{Name: "kws", BasePath: modelBase(t, "frozen/kws/DS_CNN_S.pb")}}})
	wav, err := os.ReadFile(testutil.SharedModel(t, "frozen/kws/wav/yes_1000ms.wav"))
	require.NoError(t, err)
	body := `{"inputs": {"b64": "` + base64.StdEncoding.EncodeToString(wav) + `"}}`
	code, resp := r.do(t, "POST", "/v1/models/kws:predict", body)
	require.Equal(t, 200, code, resp)
	var out struct{ Outputs [][]float32 }
	require.NoError(t, json.Unmarshal([]byte(resp), &out), resp)
	require.Len(t, out.Outputs, 1)
	require.Len(t, out.Outputs[0], 12)
	best := 0
	for i, p := range out.Outputs[0] {
		if p > out.Outputs[0][best] {
			best = i
		}
	}
	assert.Equal(t, 2, best, "label index of \"yes\"; scores %v", out.Outputs[0])

	code, resp = r.do(t, "POST", "/v1/models/kws:predict", `{"inputs": {"b64": "not base64!"}}`)
	assert.Equal(t, 400, code)
	assert.Contains(t, resp, "'b64' value is not valid base64")
}
