package serve

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRESTHalfPlusTwo checks every REST endpoint against TensorFlow
// Serving's documented responses for its half_plus_two example model
// (y = 0.5·x + 2 exactly), errors included.
func TestRESTHalfPlusTwo(t *testing.T) {
	r := start(t, Config{Models: []ModelConfig{{Name: "half_plus_two", BasePath: modelBase(t, halfPlusTwo), Labels: map[string]int64{"stable": 1}}}, MaxBodyBytes: 1 << 16})
	big := `{"instances":[` + strings.Repeat("1.0,", 1<<15) + `1.0]}`
	cases := []struct {
		name, method, path, body string
		code                     int
		want                     string // exact body; empty to check only wantErr
		wantErr                  string // substring of the "error" field
	}{
		{"row", "POST", "/v1/models/half_plus_two:predict", `{"instances": [1.0, 2.0, 5.0]}`, 200, `{"predictions":[2.5,3.0,4.5]}`, ""},
		{"row 2-d", "POST", "/v1/models/half_plus_two:predict", `{"instances": [[1.0], [2.0]]}`, 200, `{"predictions":[[2.5],[3.0]]}`, ""},
		{"columnar", "POST", "/v1/models/half_plus_two:predict", `{"inputs": [1.0, 2.0, 5.0]}`, 200, `{"outputs":[2.5,3.0,4.5]}`, ""},
		{"columnar named", "POST", "/v1/models/half_plus_two:predict", `{"signature_name": "serving_default", "inputs": {"x": [4.0]}}`, 200, `{"outputs":[4.0]}`, ""},
		{"row named", "POST", "/v1/models/half_plus_two:predict", `{"instances": [{"x": 6.0}, {"x": 0}]}`, 200, `{"predictions":[5.0,2.0]}`, ""},
		{"version", "POST", "/v1/models/half_plus_two/versions/1:predict", `{"instances": [1.0]}`, 200, `{"predictions":[2.5]}`, ""},
		{"label", "POST", "/v1/models/half_plus_two/labels/stable:predict", `{"instances": [1.0]}`, 200, `{"predictions":[2.5]}`, ""},
		{"regress", "POST", "/v1/models/half_plus_two:regress", `{"signature_name": "regress_x_to_y", "examples": [{"x": 1.0}, {"x": 2.0}]}`, 200, `{"result":[2.5,3.0]}`, ""},
		{"regress context", "POST", "/v1/models/half_plus_two:regress", `{"signature_name": "regress_x_to_y", "context": {"x": 4.0}, "examples": [{}, {"x": 2.0}]}`, 200, `{"result":[4.0,3.0]}`, ""},
		{"classify", "POST", "/v1/models/half_plus_two:classify", `{"signature_name": "classify_x_to_y", "examples": [{"x": 1.0}, {"x": 2.0}]}`, 200, `{"result":[[["",2.5]],[["",3.0]]]}`, ""},
		{"status", "GET", "/v1/models/half_plus_two", "", 200, `{"model_version_status":[{"version":"1","state":"AVAILABLE","status":{"error_code":"OK","error_message":""}}]}`, ""},
		{"status version", "GET", "/v1/models/half_plus_two/versions/1", "", 200, `{"model_version_status":[{"version":"1","state":"AVAILABLE","status":{"error_code":"OK","error_message":""}}]}`, ""},

		{"bad json", "POST", "/v1/models/half_plus_two:predict", `{"instances": [1.0,`, 400, "", "JSON parse error"},
		{"wrong dtype", "POST", "/v1/models/half_plus_two:predict", `{"instances": ["a"]}`, 400, "", "input x: expects float32 but got a string"},
		{"bool for float", "POST", "/v1/models/half_plus_two:predict", `{"inputs": [true]}`, 400, "", "input x: expects float32 but got a boolean"},
		{"ragged", "POST", "/v1/models/half_plus_two:predict", `{"instances": [[1.0], 2.0]}`, 400, "", "rectangular"},
		{"both formats", "POST", "/v1/models/half_plus_two:predict", `{"instances": [1.0], "inputs": [1.0]}`, 400, "", "both 'instances' and 'inputs'"},
		{"no inputs", "POST", "/v1/models/half_plus_two:predict", `{}`, 400, "", "missing 'inputs' or 'instances'"},
		{"unknown input", "POST", "/v1/models/half_plus_two:predict", `{"inputs": {"y": [1.0]}}`, 400, "", "input tensor alias not found in signature: y"},
		{"unknown signature", "POST", "/v1/models/half_plus_two:predict", `{"signature_name": "nope", "instances": [1.0]}`, 400, "", `serving signature name: "nope" not found`},
		{"classify on predict signature", "POST", "/v1/models/half_plus_two:classify", `{"examples": [{"x": 1.0}]}`, 400, "", "method_name to be tensorflow/serving/classify"},
		{"unknown model", "POST", "/v1/models/nope:predict", `{"instances": [1.0]}`, 404, "", `model "nope" is not served`},
		{"unknown version", "POST", "/v1/models/half_plus_two/versions/7:predict", `{"instances": [1.0]}`, 404, "", "Specific(half_plus_two, 7)"},
		{"unknown label", "POST", "/v1/models/half_plus_two/labels/canary:predict", `{"instances": [1.0]}`, 404, "", "unrecognized servable version label: canary"},
		{"status unknown version", "GET", "/v1/models/half_plus_two/versions/7", "", 404, "", "could not find version 7"},
		{"metadata unknown version", "GET", "/v1/models/half_plus_two/versions/7/metadata", "", 404, "", "Specific(half_plus_two, 7)"},
		{"metadata unknown model", "GET", "/v1/models/nope/metadata", "", 404, "", `model "nope" is not served`},
		{"huge body", "POST", "/v1/models/half_plus_two:predict", big, 413, "", "exceeds the limit of 65536 bytes"},
		{"unknown verb", "POST", "/v1/models/half_plus_two:explain", `{}`, 404, "", "unknown method :explain"},
		{"wrong method", "GET", "/v1/models/half_plus_two:predict", "", 405, "", "use POST"},
		{"unknown path", "GET", "/v2/models", "", 404, "", "Malformed request"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, body := r.do(t, c.method, c.path, c.body)
			assert.Equal(t, c.code, code, body)
			if c.want != "" {
				assert.JSONEq(t, c.want, body)
				assert.Equal(t, c.want, body, "TensorFlow Serving's number formatting")
			}
			if c.wantErr != "" {
				var e map[string]string
				require.NoError(t, json.Unmarshal([]byte(body), &e), body)
				assert.Len(t, e, 1, "an error body holds only \"error\"")
				assert.Contains(t, e["error"], c.wantErr)
			}
		})
	}

	t.Run("metadata", func(t *testing.T) {
		code, body := r.do(t, "GET", "/v1/models/half_plus_two/metadata", "")
		require.Equal(t, 200, code, body)
		code, byLabel := r.do(t, "GET", "/v1/models/half_plus_two/labels/stable/metadata", "")
		require.Equal(t, 200, code, byLabel)
		assert.Equal(t, body, byLabel, "the label names version 1")
		var md struct {
			ModelSpec struct {
				Name, SignatureName, Version string
			} `json:"model_spec"`
			Metadata struct {
				SignatureDef struct {
					SignatureDef map[string]struct {
						Inputs map[string]struct {
							Dtype       string
							Name        string
							TensorShape struct {
								Dim []struct{ Size string }
							} `json:"tensor_shape"`
						}
						Outputs    map[string]json.RawMessage
						MethodName string `json:"method_name"`
					} `json:"signature_def"`
				} `json:"signature_def"`
			}
		}
		require.NoError(t, json.Unmarshal([]byte(body), &md))
		assert.Equal(t, "half_plus_two", md.ModelSpec.Name)
		assert.Equal(t, "1", md.ModelSpec.Version)
		sigs := md.Metadata.SignatureDef.SignatureDef
		assert.Len(t, sigs, 5)
		def := sigs["serving_default"]
		assert.Equal(t, "tensorflow/serving/predict", def.MethodName)
		assert.Equal(t, "DT_FLOAT", def.Inputs["x"].Dtype)
		assert.Equal(t, "x:0", def.Inputs["x"].Name)
		require.Len(t, def.Inputs["x"].TensorShape.Dim, 2)
		assert.Equal(t, "-1", def.Inputs["x"].TensorShape.Dim[0].Size)
		assert.Contains(t, sigs["classify_x_to_y"].Outputs, "scores")
	})

	t.Run("health", func(t *testing.T) {
		code, _ := r.do(t, "GET", "/healthz", "")
		assert.Equal(t, 200, code)
		code, _ = r.do(t, "GET", "/readyz", "")
		assert.Equal(t, 200, code)
	})

	t.Run("metrics", func(t *testing.T) {
		code, body := r.do(t, "GET", "/metrics", "")
		require.Equal(t, 200, code)
		for _, want := range []string{
			`tfoffload_serve_requests_total{model="half_plus_two",method="predict",code="OK"} `,
			`tfoffload_serve_requests_total{model="half_plus_two",method="predict",code="INVALID_ARGUMENT"} `,
			`tfoffload_serve_requests_total{model="_unknown",method="predict",code="NOT_FOUND"} 1`,
			`tfoffload_serve_errors_total{model="half_plus_two",kind="INVALID_ARGUMENT"} `,
			`tfoffload_serve_request_duration_seconds_bucket{model="half_plus_two",method="regress",le="+Inf"} 2`,
			`tfoffload_serve_offload_share{model="half_plus_two",version="1"} `,
			`tfoffload_serve_versions_available{model="half_plus_two"} 1`,
			"# TYPE tfoffload_serve_request_duration_seconds histogram",
		} {
			assert.Contains(t, body, want)
		}
	})
}
