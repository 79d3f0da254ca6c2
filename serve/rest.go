package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/servingpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// Handler returns the REST API as TensorFlow Serving's:
//
//	POST /v1/models/NAME[/versions/N | /labels/L]:predict | :classify | :regress
//	GET  /v1/models/NAME[/versions/N | /labels/L]           version status
//	GET  /v1/models/NAME[/versions/N | /labels/L]/metadata  signatures
//
// plus GET /metrics (and /monitoring/prometheus/metrics, TensorFlow
// Serving's path) in Prometheus text format, GET /healthz (liveness) and
// GET /readyz (readiness: 503 while a model has no version or the server
// shuts down). Request bodies over the size limit get 413; every error
// body is {"error": "..."}.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/models/", s.serveModels)
	mux.HandleFunc("GET /metrics", s.serveMetrics)
	mux.HandleFunc("GET /monitoring/prometheus/metrics", s.serveMetrics)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, []byte(`{"status":"alive"}`))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !s.Ready() {
			writeError(w, http.StatusServiceUnavailable, "not ready: shutting down, or a model has no version available")
			return
		}
		writeJSON(w, http.StatusOK, []byte(`{"status":"ready"}`))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("Malformed request: %s %s", r.Method, r.URL.Path))
	})
	return mux
}

// restRequest is a parsed /v1/models/ path.
type restRequest struct {
	spec ModelSpec
	verb string // "predict", "classify", "regress", "metadata", or "" for status
}

// parseModelPath parses /v1/models/NAME[/versions/N|/labels/L][:verb|/metadata].
func parseModelPath(path string) (restRequest, error) {
	rest, ok := strings.CutPrefix(path, "/v1/models/")
	if !ok || rest == "" {
		return restRequest{}, errors.New("missing model name")
	}
	var req restRequest
	if head, verb, ok := strings.Cut(rest, ":"); ok {
		rest, req.verb = head, verb
		if !slices.Contains([]string{"predict", "classify", "regress"}, verb) {
			return req, fmt.Errorf("unknown method :%s (expected :predict, :classify or :regress)", verb)
		}
	} else if head, ok := strings.CutSuffix(rest, "/metadata"); ok {
		rest, req.verb = head, "metadata"
	}
	parts := strings.Split(rest, "/")
	req.spec.Name = parts[0]
	switch {
	case req.spec.Name == "":
		return req, errors.New("missing model name")
	case len(parts) == 1:
	case len(parts) == 3 && parts[1] == "versions":
		n, err := strconv.ParseInt(parts[2], 10, 64)
		if err != nil || n < 0 {
			return req, fmt.Errorf("version %q is not a non-negative integer", parts[2])
		}
		req.spec.Version = &n
	case len(parts) == 3 && parts[1] == "labels" && parts[2] != "":
		req.spec.Label = parts[2]
	default:
		return req, fmt.Errorf("unexpected path segments after the model name")
	}
	return req, nil
}

func (s *Server) serveModels(w http.ResponseWriter, r *http.Request) {
	req, err := parseModelPath(r.URL.Path)
	if err != nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("Malformed request: %s %s: %v", r.Method, r.URL.Path, err))
		return
	}
	wantMethod := http.MethodPost
	if req.verb == "" || req.verb == "metadata" {
		wantMethod = http.MethodGet
	}
	if r.Method != wantMethod {
		w.Header().Set("Allow", wantMethod)
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("Malformed request: %s %s (use %s)", r.Method, r.URL.Path, wantMethod))
		return
	}
	var body []byte
	if wantMethod == http.MethodPost {
		body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				s.metrics.request(s.mgr.metricLabel(req.spec.Name), req.verb, servingpb.ErrorCode_RESOURCE_EXHAUSTED.String(), 0)
				writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body exceeds the limit of %d bytes", s.cfg.MaxBodyBytes))
				return
			}
			writeError(w, http.StatusBadRequest, fmt.Sprintf("reading the request body: %v", err))
			return
		}
	}
	var out []byte
	switch req.verb {
	case "predict":
		out, err = s.restPredict(r, req.spec, body)
	case "classify", "regress":
		out, err = s.restExamples(r, req.spec, req.verb, body)
	case "metadata":
		out, err = s.restMetadata(req.spec)
	default:
		out, err = s.restStatus(req.spec)
	}
	if err != nil {
		writeError(w, httpStatus(errorCode(err)), err.Error())
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// restPredict answers :predict in the format of the request: row format
// gives {"predictions": [...]}, one entry per instance (the output's value
// when the signature has one output, else an object by output key);
// columnar format gives {"outputs": ...} (the value, or an object by key).
func (s *Server) restPredict(r *http.Request, spec ModelSpec, body []byte) ([]byte, error) {
	var out []byte
	err := s.observe(r.Context(), spec.Name, "predict", func(ctx context.Context) error {
		pb, err := parsePredictBody(body)
		if err != nil {
			return errorf(ErrInvalidArgument, "model %s: %w", spec.Name, err)
		}
		spec.Signature = pb.SignatureName
		v, err := s.acquire(spec)
		if err != nil {
			return err
		}
		defer v.release()
		sig, err := v.signature(spec.Signature)
		if err != nil {
			return err
		}
		inputs, err := predictInputs(pb, sig)
		if err != nil {
			return errorf(ErrInvalidArgument, "model %s signature %s: %w", v.model, sig.Key, err)
		}
		outs, err := s.runSignature(ctx, v, sig, inputs, nil)
		if err != nil {
			return err
		}
		out, err = predictJSON(v, sig, outs, pb.hasInstances)
		return err
	})
	return out, err
}

// predictJSON writes a predict response.
func predictJSON(v *version, sig *graph.Signature, outs map[string]*tensor.Tensor, row bool) ([]byte, error) {
	keys := make([]string, 0, len(sig.Outputs))
	for _, o := range sig.Outputs {
		keys = append(keys, o.Key)
	}
	var b bytes.Buffer
	// value writes the outputs of one instance (row ≥ 0) or whole: the
	// single output's value, or an object by output key.
	value := func(row int) error {
		if len(keys) == 1 {
			return writeOutput(&b, v, sig, keys[0], outs[keys[0]], row)
		}
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			name, _ := json.Marshal(k)
			b.Write(name)
			b.WriteByte(':')
			if err := writeOutput(&b, v, sig, k, outs[k], row); err != nil {
				return err
			}
		}
		b.WriteByte('}')
		return nil
	}
	if !row {
		b.WriteString(`{"outputs":`)
		if err := value(-1); err != nil {
			return nil, err
		}
		b.WriteString("}")
		return b.Bytes(), nil
	}
	n := -1
	for _, k := range keys {
		t := outs[k]
		if t.Rank() == 0 {
			return nil, errorf(ErrInvalidArgument, "model %s signature %s: output %s is a scalar and cannot be split into instances; use the columnar \"inputs\" format", v.model, sig.Key, k)
		}
		if n >= 0 && t.Shape()[0] != n {
			return nil, errorf(ErrInvalidArgument, "model %s signature %s: output %s has inconsistent batch size: %d expecting: %d", v.model, sig.Key, k, t.Shape()[0], n)
		}
		n = t.Shape()[0]
	}
	b.WriteString(`{"predictions":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := value(i); err != nil {
			return nil, err
		}
	}
	b.WriteString("]}")
	return b.Bytes(), nil
}

// writeOutput writes one output (its row when row ≥ 0); a key ending in
// "_bytes" marks binary strings, written as {"b64": ...}.
func writeOutput(b *bytes.Buffer, v *version, sig *graph.Signature, key string, t *tensor.Tensor, row int) error {
	if err := writeTensorJSON(b, t, row, strings.HasSuffix(key, "_bytes")); err != nil {
		return errorf(ErrInternal, "model %s signature %s: output %s: %w", v.model, sig.Key, key, err)
	}
	return nil
}

// restExamples answers :classify ({"result": [[[label, score], ...], ...]})
// and :regress ({"result": [value, ...]}).
func (s *Server) restExamples(r *http.Request, spec ModelSpec, verb string, body []byte) ([]byte, error) {
	sigName, examples, exCtx, err := parseExamplesBody(body)
	if err != nil {
		err = errorf(ErrInvalidArgument, "model %s: %w", spec.Name, err)
		s.metrics.request(s.mgr.metricLabel(spec.Name), verb, servingpb.ErrorCode_INVALID_ARGUMENT.String(), 0)
		return nil, err
	}
	spec.Signature = sigName
	var b bytes.Buffer
	b.WriteString(`{"result":[`)
	if verb == "classify" {
		res, _, err := s.Classify(r.Context(), spec, examples, exCtx)
		if err != nil {
			return nil, err
		}
		for i, cls := range res {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('[')
			for j, c := range cls {
				if j > 0 {
					b.WriteByte(',')
				}
				label, _ := json.Marshal(c.Label)
				fmt.Fprintf(&b, "[%s,%s]", label, formatJSONNumber(float64(c.Score), true, 32))
			}
			b.WriteByte(']')
		}
	} else {
		res, _, err := s.Regress(r.Context(), spec, examples, exCtx)
		if err != nil {
			return nil, err
		}
		for i, v := range res {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(formatJSONNumber(float64(v), true, 32))
		}
	}
	b.WriteString("]}")
	return b.Bytes(), nil
}

// jsonOptions write protos as TensorFlow Serving's REST API does: proto
// field names, defaults included.
var jsonOptions = protojson.MarshalOptions{UseProtoNames: true, EmitUnpopulated: true}

// restStatus answers GET /v1/models/NAME[/versions/N].
func (s *Server) restStatus(spec ModelSpec) ([]byte, error) {
	resp, err := s.modelStatus(spec)
	if err != nil {
		return nil, err
	}
	return compactProtoJSON(resp)
}

// compactProtoJSON writes m with jsonOptions, without the random spacing
// protojson adds to keep callers from depending on its output bytes.
func compactProtoJSON(m proto.Message) ([]byte, error) {
	raw, err := jsonOptions.Marshal(m)
	if err != nil {
		return nil, errorf(ErrInternal, "writing %s: %w", m.ProtoReflect().Descriptor().Name(), err)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return nil, errorf(ErrInternal, "writing %s: %w", m.ProtoReflect().Descriptor().Name(), err)
	}
	return b.Bytes(), nil
}

// restMetadata answers GET .../metadata: {"model_spec": {...}, "metadata":
// {"signature_def": SignatureDefMap}}.
func (s *Server) restMetadata(spec ModelSpec) ([]byte, error) {
	resp, sigs, err := s.modelMetadata(spec)
	if err != nil {
		return nil, err
	}
	ms, err := compactProtoJSON(resp.GetModelSpec())
	if err != nil {
		return nil, err
	}
	sd, err := compactProtoJSON(sigs)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"model_spec":%s,"metadata":{"signature_def":%s}}`, ms, sd)
	return b.Bytes(), nil
}

// specProto returns the ModelSpec a response names.
func specProto(name string, num int64, sig string) *servingpb.ModelSpec {
	return &servingpb.ModelSpec{Name: name, VersionChoice: &servingpb.ModelSpec_Version{Version: wrapperspb.Int64(num)}, SignatureName: sig}
}

func writeJSON(w http.ResponseWriter, code int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	b, _ := json.Marshal(map[string]string{"error": msg})
	writeJSON(w, code, b)
}

func (s *Server) serveMetrics(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	gauges := map[string][]gauge{}
	for _, name := range s.mgr.names {
		sv := s.mgr.models[name]
		sv.mu.RLock()
		nums := slices.Sorted(maps.Keys(sv.versions))
		gauges["tfoffload_serve_versions_available"] = append(gauges["tfoffload_serve_versions_available"], gauge{"model=" + quote(name), float64(len(nums))})
		for _, n := range nums {
			st := sv.versions[n].sess.Stats()
			share := 0.0
			if st.NonTrivial > 0 {
				share = float64(st.NonTrivialOffloaded) / float64(st.NonTrivial)
			}
			gauges["tfoffload_serve_offload_share"] = append(gauges["tfoffload_serve_offload_share"],
				gauge{fmt.Sprintf("model=%s,version=%q", quote(name), strconv.FormatInt(n, 10)), share})
		}
		sv.mu.RUnlock()
	}
	help := map[string]string{
		"tfoffload_serve_versions_available": "Versions of each model loaded and serving.",
		"tfoffload_serve_offload_share":      "Share of a version's computing nodes (Const, Identity and the like excluded) offloaded to ONNX Runtime.",
	}
	_ = s.metrics.write(w, gauges, help)
}
