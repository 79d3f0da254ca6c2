package serve

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const halfPlusThree = "savedmodel/tfserving/saved_model_half_plus_three"

// TestVersionHotSwap drops a new version in while clients keep sending
// requests: the new version is picked up with no failed request, every
// answer comes from one version or the other, and a broken version is
// refused, logged in the status and never replaces the working one.
func TestVersionHotSwap(t *testing.T) {
	base := modelBase(t, halfPlusTwo)
	r := start(t, Config{Models: []ModelConfig{{Name: "m", BasePath: base}}})

	var (
		stop            atomic.Bool
		ok, failed, v2s atomic.Int64
		wg              sync.WaitGroup
		firstFailure    atomic.Value
	)
	for range 8 {
		wg.Go(func() {
			for !stop.Load() {
				code, body := r.do(t, "POST", "/v1/models/m:predict", `{"instances": [1.0]}`)
				switch {
				case code == 200 && body == `{"predictions":[2.5]}`:
					ok.Add(1)
				case code == 200 && body == `{"predictions":[3.5]}`:
					ok.Add(1)
					v2s.Add(1)
				default:
					failed.Add(1)
					firstFailure.CompareAndSwap(nil, body)
				}
			}
		})
	}
	time.Sleep(200 * time.Millisecond)
	addVersion(t, base, 2, halfPlusThree)
	r.srv.Poll()
	deadline := time.Now().Add(20 * time.Second)
	for v2s.Load() < 50 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}

	// A broken version 3: the newest, but it must not replace version 2.
	broken := filepath.Join(base, "3")
	require.NoError(t, os.MkdirAll(broken, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(broken, "saved_model.pb"), []byte("not a protobuf"), 0o644))
	r.srv.Poll()
	time.Sleep(200 * time.Millisecond)
	stop.Store(true)
	wg.Wait()

	assert.Zero(t, failed.Load(), "failed requests during the swap (first: %v)", firstFailure.Load())
	assert.Greater(t, v2s.Load(), int64(0), "version 2 never answered")
	t.Logf("%d requests answered during the swap, %d by version 2", ok.Load(), v2s.Load())

	code, body := r.do(t, "POST", "/v1/models/m:predict", `{"instances": [1.0]}`)
	assert.Equal(t, 200, code)
	assert.Equal(t, `{"predictions":[3.5]}`, body, "version 2 keeps serving after version 3 failed")

	code, body = r.do(t, "GET", "/v1/models/m", "")
	require.Equal(t, 200, code)
	var st struct {
		ModelVersionStatus []struct {
			Version, State string
			Status         struct {
				ErrorCode    string `json:"error_code"`
				ErrorMessage string `json:"error_message"`
			}
		} `json:"model_version_status"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &st), body)
	require.Len(t, st.ModelVersionStatus, 3, body)
	assert.Equal(t, "3", st.ModelVersionStatus[0].Version)
	assert.Equal(t, "END", st.ModelVersionStatus[0].State)
	assert.Equal(t, "UNKNOWN", st.ModelVersionStatus[0].Status.ErrorCode)
	assert.Contains(t, st.ModelVersionStatus[0].Status.ErrorMessage, "saved_model.pb")
	assert.Equal(t, "AVAILABLE", st.ModelVersionStatus[1].State)
	assert.Equal(t, "END", st.ModelVersionStatus[2].State, "version 1 unloaded")

	code, body = r.do(t, "POST", "/v1/models/m/versions/1:predict", `{"instances": [1.0]}`)
	assert.Equal(t, 404, code, body)

	_, metrics := r.do(t, "GET", "/metrics", "")
	assert.Contains(t, metrics, `tfoffload_serve_errors_total{model="",kind="load"} 1`)
}

// TestVersionPolicies checks which versions each policy serves.
func TestVersionPolicies(t *testing.T) {
	base := modelBase(t, halfPlusTwo)
	addVersion(t, base, 2, halfPlusThree)
	cases := []struct {
		name   string
		policy VersionPolicy
		want   map[string]int // version path → status code
	}{
		{"latest", VersionPolicy{}, map[string]int{"1": 404, "2": 200}},
		{"latest 2", VersionPolicy{Latest: 2}, map[string]int{"1": 200, "2": 200}},
		{"all", VersionPolicy{All: true}, map[string]int{"1": 200, "2": 200}},
		{"specific", VersionPolicy{Specific: []int64{1}}, map[string]int{"1": 200, "2": 404}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := start(t, Config{Models: []ModelConfig{{Name: "m", BasePath: base, Policy: c.policy}}})
			for v, want := range c.want {
				code, body := r.do(t, "POST", "/v1/models/m/versions/"+v+":predict", `{"instances": [1.0]}`)
				assert.Equal(t, want, code, "version %s: %s", v, body)
			}
		})
	}
}

// TestNoLoadableVersion: a model none of whose versions loads stops New,
// naming the model and the cause.
func TestNoLoadableVersion(t *testing.T) {
	base := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(base, "1"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(base, "1", "saved_model.pb"), []byte("junk"), 0o644))
	_, err := New(Config{Models: []ModelConfig{{Name: "m", BasePath: base}}, Logger: testLogger(t)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "model m under "+base+": no version could be loaded")

	_, err = New(Config{Models: []ModelConfig{{Name: "m", BasePath: t.TempDir()}}, Logger: testLogger(t)})
	assert.ErrorContains(t, err, "no numbered version directory")
}

// TestSeveralModels serves two models from one --model_config_file, one
// with a version label.
func TestSeveralModels(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "models.config")
	require.NoError(t, os.WriteFile(conf, []byte(fmt.Sprintf(`model_config_list {
  config { name: "hp2" base_path: %q model_platform: "tensorflow" version_labels { key: "stable" value: 1 } }
  config { name: "add" base_path: %q }
}`, modelBase(t, halfPlusTwo), modelBase(t, addition))), 0o644))
	models, err := LoadModelConfigFile(conf)
	require.NoError(t, err)
	r := start(t, Config{Models: models})
	code, body := r.do(t, "POST", "/v1/models/hp2/labels/stable:predict", `{"instances": [3.0]}`)
	assert.Equal(t, 200, code)
	assert.Equal(t, `{"predictions":[3.5]}`, body)
	code, body = r.do(t, "POST", "/v1/models/add:predict", `{"inputs": {"x": 1, "y": 2}}`)
	assert.Equal(t, 200, code)
	assert.Equal(t, `{"outputs":3}`, body)
	code, _ = r.do(t, "GET", "/readyz", "")
	assert.Equal(t, 200, code)

	_, err = LoadModelConfigFile(filepath.Join(dir, "missing.config"))
	assert.ErrorIs(t, err, ErrConfig)
}
