package graph

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// tfjsFile is the part of a TF.js model.json that Load reads. Fields that
// hold protobuf JSON stay raw and go through protojson.
type tfjsFile struct {
	Format               string          `json:"format"`
	GeneratedBy          string          `json:"generatedBy"`
	ConvertedBy          string          `json:"convertedBy"`
	ModelTopology        json.RawMessage `json:"modelTopology"`
	WeightsManifest      []tfjsGroup     `json:"weightsManifest"`
	Signature            json.RawMessage `json:"signature"`
	UserDefinedMetadata  json.RawMessage `json:"userDefinedMetadata"`
	ModelInitializer     json.RawMessage `json:"modelInitializer"`
	InitializerSignature json.RawMessage `json:"initializerSignature"`
}

// tfjsGroup is one weightsManifest entry: shard files whose concatenation
// holds the group's weights back to back.
type tfjsGroup struct {
	Paths   []string     `json:"paths"`
	Weights []tfjsWeight `json:"weights"`
}

type tfjsWeight struct {
	Name         string     `json:"name"`
	Shape        []int64    `json:"shape"`
	DType        string     `json:"dtype"`
	Quantization *tfjsQuant `json:"quantization"`
}

// tfjsQuant describes a quantized weight: uint8/uint16 values q standing for
// min + q·scale, or float16 values standing for float32 ones.
type tfjsQuant struct {
	DType         string   `json:"dtype"`
	Min           *float64 `json:"min"`
	Scale         *float64 `json:"scale"`
	OriginalDType string   `json:"original_dtype"`
}

// tfjsDTypes are the weight dtypes the TF.js converter writes (it converts
// 64-bit types to their 32-bit forms before writing).
var tfjsDTypes = map[string]tensor.DType{
	"float32": tensor.Float32, "int32": tensor.Int32, "bool": tensor.Bool,
	"complex64": tensor.Complex64, "string": tensor.String,
	"float16": tensor.Float16, "uint8": tensor.Uint8, "uint16": tensor.Uint16,
}

// tfjsStringLength is the size of the little-endian uint32 length that
// precedes each string of a string weight.
const tfjsStringLength = 4

// loadTFJS reads a model.json and its shards from the same directory,
// under [OpenModelFile]'s rules.
func loadTFJS(path string, data []byte) (*Model, error) {
	m, err := parseTFJS(data, dirShards(filepath.Dir(path)))
	if err != nil {
		return nil, err
	}
	m.Dir = filepath.Dir(path)
	return m, nil
}

// ParseTFJS decodes a TensorFlow.js graph model: modelJSON is the content
// of model.json and readShard returns the bytes of a shard named in its
// weightsManifest (paths as written there, relative to model.json).
//
// Every weight is decoded (uint8/uint16 quantization to min + q·scale in
// the weight's dtype, float16 to float32, strings from their
// length-prefixed form) and stored as the value of the Const node of the
// same name, cast back to the node's declared dtype where the converter
// narrowed it (int64 to int32, float64 to float32). The signature block
// (or userDefinedMetadata.signature, as converter 1.x wrote it) becomes
// the "serving_default" signature; a modelInitializer graph is kept in
// [Model.Initializer]. Path is left empty.
//
// The manifest and the graph must agree, as TensorFlow.js requires: a
// weight that names no Const node, a Const node without a weight (unless
// its value is stored inline), a group whose shards end before its
// weights do or hold bytes after them are all a [*WeightError].
//
// JSON errors wrap [ErrCorrupt] with a line and column; weight errors are
// a [*WeightError].
func ParseTFJS(modelJSON []byte, readShard func(name string) ([]byte, error)) (*Model, error) {
	return parseTFJS(modelJSON, &memShards{read: readShard, data: map[string][]byte{}})
}

func parseTFJS(modelJSON []byte, shards shardSource) (*Model, error) {
	if err := notModelData(modelJSON); err != nil {
		return nil, err
	}
	var f tfjsFile
	if err := json.Unmarshal(modelJSON, &f); err != nil {
		return nil, jsonError(modelJSON, err)
	}
	if isNull(f.ModelTopology) {
		return nil, fmt.Errorf("%w: the JSON has no modelTopology", ErrNotModel)
	}
	if f.Format == "layers-model" || isLayersTopology(f.ModelTopology) {
		return nil, fmt.Errorf("%w: this is a TF.js layers model; only graph models load (convert it with --output_format=tfjs_graph_model)", ErrUnsupported)
	}
	g, err := parseTopology("modelTopology", f.ModelTopology)
	if err != nil {
		return nil, err
	}
	if err := checkGraph(g, true); err != nil {
		return nil, fmt.Errorf("modelTopology: %w", err)
	}
	m := &Model{Format: FormatTFJS, Graph: g, GraphProducer: g.GetVersions().GetProducer()}
	if !isNull(f.ModelInitializer) {
		if m.Initializer, err = parseTopology("modelInitializer", f.ModelInitializer); err != nil {
			return nil, err
		}
		if err := checkGraph(m.Initializer, false); err != nil {
			return nil, fmt.Errorf("modelInitializer: %w", err)
		}
	}
	if sig, err := tfjsSignature(f); err != nil {
		return nil, err
	} else if sig != nil {
		m.Signatures = []Signature{signatureFromDef("serving_default", sig)}
	}
	var parts []string
	for _, p := range []struct{ label, v string }{{"format ", f.Format}, {"generated by ", f.GeneratedBy}, {"converted by ", f.ConvertedBy}} {
		if p.v != "" {
			parts = append(parts, p.label+p.v)
		}
	}
	m.Producer = strings.Join(parts, ", ")

	consts := constsByName(g, m.Initializer)
	if err := checkWeightNames(f.WeightsManifest, consts, g, m.Initializer); err != nil {
		return nil, err
	}
	for gi, grp := range f.WeightsManifest {
		if err := decodeGroup(gi, grp, shards, consts); err != nil {
			return nil, err
		}
	}
	if err := checkConstsFilled(f.WeightsManifest, g, m.Initializer); err != nil {
		return nil, err
	}
	m.Variables = VariableNodes(g)
	m.WeightBytes = satAdd(ConstBytes(g), ConstBytes(m.Initializer))
	return m, nil
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

// isLayersTopology recognises a Keras model config (a layers model's
// modelTopology), which has class_name/model_config where a GraphDef has
// node.
func isLayersTopology(raw json.RawMessage) bool {
	var keys map[string]json.RawMessage
	if json.Unmarshal(raw, &keys) != nil {
		return false
	}
	_, node := keys["node"]
	_, className := keys["class_name"]
	_, config := keys["model_config"]
	return !node && (className || config)
}

// parseTopology decodes protobuf JSON into a GraphDef, skipping fields the
// schema does not know.
func parseTopology(field string, raw json.RawMessage) (*tfpb.GraphDef, error) {
	g := &tfpb.GraphDef{}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(raw, g); err != nil {
		return nil, fmt.Errorf("%w: %s is not a GraphDef in protobuf JSON (positions count from the start of %s): %v", ErrCorrupt, field, field, err)
	}
	return g, nil
}

// tfjsSignature returns the model's signature: the top-level "signature"
// block, else userDefinedMetadata.signature; nil when there is neither.
// The latter is user data, so a malformed one is ignored.
func tfjsSignature(f tfjsFile) (*tfpb.SignatureDef, error) {
	opts := protojson.UnmarshalOptions{DiscardUnknown: true}
	if !isNull(f.Signature) {
		sd := &tfpb.SignatureDef{}
		if err := opts.Unmarshal(f.Signature, sd); err != nil {
			return nil, fmt.Errorf("%w: signature is not a SignatureDef in protobuf JSON: %v", ErrCorrupt, err)
		}
		return sd, nil
	}
	var meta struct {
		Signature json.RawMessage `json:"signature"`
	}
	if isNull(f.UserDefinedMetadata) || json.Unmarshal(f.UserDefinedMetadata, &meta) != nil || isNull(meta.Signature) {
		return nil, nil
	}
	sd := &tfpb.SignatureDef{}
	if opts.Unmarshal(meta.Signature, sd) != nil {
		return nil, nil
	}
	return sd, nil
}

// jsonError turns an encoding/json error into an ErrCorrupt error with the
// line and column of the offending byte.
func jsonError(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := lineCol(data, syn.Offset)
		return fmt.Errorf("%w: JSON syntax error at line %d, column %d: %v", ErrCorrupt, line, col, syn)
	case errors.As(err, &typ):
		line, col := lineCol(data, typ.Offset)
		field := typ.Field
		if field == "" {
			return fmt.Errorf("%w: the JSON document is a top-level %s, not an object", ErrNotModel, typ.Value)
		}
		return fmt.Errorf("%w: at line %d, column %d: field %s is a JSON %s, want %v", ErrCorrupt, line, col, field, typ.Value, typ.Type)
	}
	return fmt.Errorf("%w: bad JSON: %v", ErrCorrupt, err)
}

// lineCol converts a byte offset into a 1-based line and column.
func lineCol(data []byte, offset int64) (line, col int) {
	offset = max(0, min(offset, int64(len(data))))
	before := data[:offset]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(offset) - (bytes.LastIndexByte(before, '\n') + 1)
	if col == 0 {
		col = 1
	}
	return line, col
}

// constsByName maps names to the Const nodes weights fill: top-level
// nodes, nodes of library functions (which the converter names
// "function/node"), and the initializer's nodes.
func constsByName(g, init *tfpb.GraphDef) map[string][]*tfpb.NodeDef {
	out := map[string][]*tfpb.NodeDef{}
	eachNode(g, init, func(n *tfpb.NodeDef) {
		if isConstOp(n.GetOp()) {
			out[n.GetName()] = append(out[n.GetName()], n)
		}
	})
	return out
}

// eachNode calls fn on every node of the graphs and of their library
// functions, in file order.
func eachNode(g, init *tfpb.GraphDef, fn func(*tfpb.NodeDef)) {
	for _, gr := range []*tfpb.GraphDef{g, init} {
		for _, n := range gr.GetNode() {
			fn(n)
		}
		for _, f := range gr.GetLibrary().GetFunction() {
			for _, n := range f.GetNodeDef() {
				fn(n)
			}
		}
	}
}

// checkWeightNames makes sure every weight of the manifest fills a Const
// node: TensorFlow.js looks weights up by node name, so a weight that
// names no Const would be dropped without a word.
func checkWeightNames(manifest []tfjsGroup, consts map[string][]*tfpb.NodeDef, g, init *tfpb.GraphDef) error {
	for gi, grp := range manifest {
		for _, w := range grp.Weights {
			if len(consts[w.Name]) > 0 {
				continue
			}
			reason := "names no Const node of the graph"
			eachNode(g, init, func(n *tfpb.NodeDef) {
				if n.GetName() == w.Name {
					reason = fmt.Sprintf("names node %q, which is a %s, not a Const", w.Name, n.GetOp())
				}
			})
			return &WeightError{Weight: w.Name, Group: gi, Reason: reason}
		}
	}
	return nil
}

// checkConstsFilled refuses a Const node that got no weight and holds no
// value of its own: the converter moves every constant's content into the
// shards, so such a node would run as zeros where the model meant weights.
// TensorFlow.js fails on it too, when it runs the node.
func checkConstsFilled(manifest []tfjsGroup, g, init *tfpb.GraphDef) error {
	filled := map[string]bool{}
	for _, grp := range manifest {
		for _, w := range grp.Weights {
			filled[w.Name] = true
		}
	}
	var err error
	eachNode(g, init, func(n *tfpb.NodeDef) {
		if err == nil && isConstOp(n.GetOp()) && !filled[n.GetName()] && !holdsValues(n.GetAttr()["value"].GetTensor()) {
			err = &WeightError{Node: n.GetName(), Reason: "has no weight in weightsManifest and no value of its own"}
		}
	})
	return err
}

// holdsValues reports whether p carries its elements (tensor_content or
// typed values) or has none to carry; a converter's Const keeps only the
// dtype and shape.
func holdsValues(p *tfpb.TensorProto) bool {
	if p == nil {
		return false
	}
	if dims, known := ShapeDims(p.GetTensorShape()); known && !slices.Contains(dims, -1) && slices.Contains(dims, 0) {
		return true
	}
	has := false
	p.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
		switch fd.Name() {
		case "dtype", "tensor_shape", "version_number":
			return true
		}
		has = true
		return false
	})
	return has
}

// shardSource gives access to the shard files a weightsManifest names.
type shardSource interface {
	// stat checks that the shard may be read and returns its size.
	stat(name string) (int64, error)
	// open returns the shard's content, of the size stat returned.
	open(name string) (io.ReadCloser, error)
}

// dirShards reads shards from a model directory under [OpenModelFile]'s
// rules.
type dirShards string

func (d dirShards) stat(name string) (int64, error) { return statModelFile(string(d), name) }

func (d dirShards) open(name string) (io.ReadCloser, error) {
	f, _, err := OpenModelFile(string(d), name, -1)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// memShards serves shards from a reader function, each read once.
type memShards struct {
	read func(name string) ([]byte, error)
	data map[string][]byte
}

func (m *memShards) stat(name string) (int64, error) {
	if m.read == nil {
		return 0, errors.New("no shard reader was given")
	}
	b, err := m.read(name)
	if err != nil {
		return 0, err
	}
	m.data[name] = b
	return int64(len(b)), nil
}

func (m *memShards) open(name string) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(m.data[name])), nil
}

// shardSpan is where one shard's bytes sit in its group's data.
type shardSpan struct {
	name       string
	start, end int64
}

// groupReader reads a weight group's shards as one stream, opening each
// shard when the stream reaches it and reading no more of it than its
// size when it was examined.
type groupReader struct {
	shards shardSource
	spans  []shardSpan
	total  int64 // bytes in all spans
	off    int64 // bytes consumed
	idx    int   // span the open shard belongs to
	cur    io.ReadCloser
	in     io.Reader // cur, limited to its span
}

func (r *groupReader) add(name string, size int64) {
	r.spans = append(r.spans, shardSpan{name, r.total, r.total + size})
	r.total += size
}

func (r *groupReader) remaining() int64 { return r.total - r.off }

func (r *groupReader) Read(p []byte) (int, error) {
	for {
		if r.off >= r.total {
			return 0, io.EOF
		}
		if r.cur == nil || r.off >= r.spans[r.idx].end {
			if err := r.next(); err != nil {
				return 0, err
			}
			continue
		}
		span := r.spans[r.idx]
		n, err := r.in.Read(p[:min(int64(len(p)), span.end-r.off)])
		r.off += int64(n)
		if err == io.EOF && r.off < span.end {
			return n, fmt.Errorf("shard %q ended %d bytes early; it changed while it was read: %w", span.name, span.end-r.off, io.ErrUnexpectedEOF)
		}
		if err != nil && err != io.EOF {
			return n, fmt.Errorf("shard %q: %w", span.name, err)
		}
		if n > 0 || len(p) == 0 {
			return n, nil
		}
	}
}

// next opens the shard that holds byte r.off.
func (r *groupReader) next() error {
	r.Close()
	for r.off >= r.spans[r.idx].end {
		r.idx++
	}
	span := r.spans[r.idx]
	f, err := r.shards.open(span.name)
	if err != nil {
		return fmt.Errorf("shard %q: %w", span.name, err)
	}
	r.cur, r.in = f, io.LimitReader(f, span.end-span.start)
	return nil
}

// Close closes the open shard, if any.
func (r *groupReader) Close() {
	if r.cur != nil {
		r.cur.Close()
		r.cur, r.in = nil, nil
	}
}

// take reads the next n bytes of the group, or returns a *shortError
// (counting from the weight's first byte, start) when the group's shards
// end first.
func (r *groupReader) take(start, n int64) ([]byte, error) {
	if err := r.ensure(start, n); err != nil {
		return nil, err
	}
	if err := tensor.CheckAlloc(tensor.Uint8, tensor.Shape{int(n)}); err != nil {
		return nil, err
	}
	b := make([]byte, n)
	_, err := io.ReadFull(r, b)
	return b, err
}

// ensure returns a *shortError unless n more bytes are left.
func (r *groupReader) ensure(start, n int64) error {
	if n > r.remaining() {
		return &shortError{need: satAdd(r.off-start, n)}
	}
	return nil
}

// decodeGroup reads one weight group's shards as a stream and stores its
// weights in the Const nodes that carry their names. Each weight is read
// no further than its declared size; the shards must end where the last
// weight does.
func decodeGroup(gi int, grp tfjsGroup, shards shardSource, consts map[string][]*tfpb.NodeDef) error {
	r := &groupReader{shards: shards}
	defer r.Close()
	var missing *WeightError
	for _, p := range grp.Paths {
		size, err := shards.stat(p)
		if errors.Is(err, ErrUnsafePath) || errors.Is(err, ErrTooLarge) {
			return &WeightError{Group: gi, Shard: p, Err: err}
		}
		if err != nil {
			missing = &WeightError{Group: gi, Shard: p, Reason: fmt.Sprintf("shard %q cannot be read", p), Err: err}
			break
		}
		r.add(p, size)
	}
	for _, w := range grp.Weights {
		start := r.off
		t, err := decodeWeight(w, r)
		if err != nil {
			var short *shortError
			if !errors.As(err, &short) {
				return &WeightError{Weight: w.Name, Group: gi, Reason: "cannot be decoded", Err: err}
			}
			if missing != nil {
				missing.Weight = w.Name
				missing.Reason = fmt.Sprintf("its bytes are in shard %q, which cannot be read", missing.Shard)
				return missing
			}
			return shortWeightError(gi, w, start, short.need, r.total, r.spans)
		}
		for _, n := range consts[w.Name] {
			if err := setConstValue(n, t); err != nil {
				return &WeightError{Weight: w.Name, Group: gi, Reason: err.Error()}
			}
		}
	}
	if missing != nil {
		return missing
	}
	if extra := r.remaining(); extra > 0 {
		last := r.spans[len(r.spans)-1]
		return &WeightError{Group: gi, Shard: last.name,
			Err: fmt.Errorf("%w: its shards hold %d bytes but its weights use %d; the last %d (shard %q) belong to no weight", ErrTooLarge, r.total, r.off, extra, last.name)}
	}
	return nil
}

func shortWeightError(gi int, w tfjsWeight, off, need, have int64, spans []shardSpan) *WeightError {
	e := &WeightError{Weight: w.Name, Group: gi}
	if len(spans) == 0 {
		e.Reason = fmt.Sprintf("needs %d bytes but the group lists no shard files", need)
		return e
	}
	last := spans[len(spans)-1]
	e.Shard = last.name
	sizes := make([]string, len(spans))
	for i, s := range spans {
		sizes[i] = fmt.Sprintf("%s: %d", s.name, s.end-s.start)
	}
	e.Reason = fmt.Sprintf("needs bytes %d to %d of the group's data, but its shards hold only %d bytes (%s); shard %q is short",
		off, satAdd(off, need), have, strings.Join(sizes, ", "), last.name)
	return e
}

// shortError reports weight data that ends before the weight does.
type shortError struct{ need int64 }

func (e *shortError) Error() string { return fmt.Sprintf("needs %d bytes", e.need) }

// hostLittleEndian reports the host's byte order: weights are
// little-endian and are read straight into tensor memory.
var hostLittleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// decodeWeight decodes the next weight of r. Too little data is a
// *shortError, checked before anything is allocated.
func decodeWeight(w tfjsWeight, r *groupReader) (*tensor.Tensor, error) {
	start := r.off
	shape, err := tensor.ShapeFromInt64s(w.Shape)
	if err != nil {
		return nil, fmt.Errorf("bad shape %v: %v", w.Shape, err)
	}
	dtName := w.DType
	if dtName == "" && w.Quantization != nil {
		dtName = w.Quantization.OriginalDType
	}
	if dtName == "" {
		dtName = "float32"
	}
	dt, ok := tfjsDTypes[dtName]
	if !ok {
		return nil, fmt.Errorf("unknown dtype %q (TF.js weights are float32, int32, bool, complex64, string, float16, uint8 or uint16)", dtName)
	}
	n := int64(shape.NumElements())
	if q := w.Quantization; q != nil {
		qsize, err := quantSize(q)
		if err != nil {
			return nil, err
		}
		raw, err := r.take(start, satMul(n, qsize))
		if err != nil {
			return nil, err
		}
		return dequantize(q, dt, shape, raw)
	}
	if dt == tensor.String {
		return decodeStrings(shape, r)
	}
	if err := r.ensure(start, satMul(n, int64(dt.Size()))); err != nil {
		return nil, err
	}
	if !hostLittleEndian {
		return nil, errors.New("big-endian hosts are not supported")
	}
	t, err := tensor.New(dt, shape)
	if err != nil {
		return nil, err
	}
	b := t.Bytes()
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	if dt == tensor.Bool {
		for i, c := range b {
			if c != 0 {
				b[i] = 1
			}
		}
	}
	return t, nil
}

// quantSize is the byte size of one quantized value.
func quantSize(q *tfjsQuant) (int64, error) {
	switch q.DType {
	case "uint8":
		return 1, nil
	case "uint16", "float16":
		return 2, nil
	}
	return 0, fmt.Errorf("unknown quantization dtype %q (want uint8, uint16 or float16)", q.DType)
}

// dequantize decodes a quantized weight the way tfjs-core's decodeWeights
// does: uint8/uint16 values become min + q·scale (rounded for int32
// weights), float16 values become float32.
func dequantize(q *tfjsQuant, dt tensor.DType, shape tensor.Shape, raw []byte) (*tensor.Tensor, error) {
	if err := tensor.CheckAlloc(dt, shape); err != nil { // up to 4× the bytes read
		return nil, err
	}
	n := shape.NumElements()
	at := func(i int) uint16 {
		if q.DType == "uint8" {
			return uint16(raw[i])
		}
		return binary.LittleEndian.Uint16(raw[2*i:])
	}
	if q.DType == "float16" {
		if dt != tensor.Float32 {
			return nil, fmt.Errorf("float16 quantization applies to float32 weights, not %v", dt)
		}
		vals := make([]float32, n)
		for i := range vals {
			vals[i] = tensor.F16(at(i)).Float32()
		}
		return tensor.FromSlice(shape, vals)
	}
	if q.Min == nil || q.Scale == nil {
		return nil, fmt.Errorf("%s quantization without min and scale", q.DType)
	}
	minV, scale := *q.Min, *q.Scale
	switch dt {
	case tensor.Float32:
		vals := make([]float32, n)
		for i := range vals {
			vals[i] = float32(float64(at(i))*scale + minV)
		}
		return tensor.FromSlice(shape, vals)
	case tensor.Int32:
		vals := make([]float64, n)
		for i := range vals {
			// JavaScript's Math.round: halves round up.
			vals[i] = math.Floor(float64(at(i))*scale + minV + 0.5)
		}
		return tensor.FromFloat64s(tensor.Int32, shape, vals)
	}
	return nil, fmt.Errorf("%s quantization applies to float32 and int32 weights, not %v", q.DType, dt)
}

// decodeStrings reads the weight's strings from r, each a little-endian
// uint32 byte length followed by the bytes (tfjs-core's encodeWeights
// layout). Lengths are checked against the bytes left before anything is
// allocated for them.
func decodeStrings(shape tensor.Shape, r *groupReader) (*tensor.Tensor, error) {
	start := r.off
	n := int64(shape.NumElements())
	vals := make([]string, 0, min(n, r.remaining()/tfjsStringLength))
	var prefix [tfjsStringLength]byte
	for range n {
		if err := r.ensure(start, tfjsStringLength); err != nil {
			return nil, err
		}
		if _, err := io.ReadFull(r, prefix[:]); err != nil {
			return nil, err
		}
		l := int64(binary.LittleEndian.Uint32(prefix[:]))
		if err := r.ensure(start, l); err != nil {
			return nil, err
		}
		var sb strings.Builder
		sb.Grow(int(l))
		if _, err := io.CopyN(&sb, r, l); err != nil {
			return nil, err
		}
		vals = append(vals, sb.String())
	}
	return tensor.FromSlice(shape, vals)
}

// setConstValue stores t as n's value, cast to n's declared dtype where
// the converter narrowed it.
func setConstValue(n *tfpb.NodeDef, t *tensor.Tensor) error {
	want, err := AttrsOf(n).Type("dtype", tensor.Invalid)
	if err != nil {
		return err
	}
	if want != tensor.Invalid && want != t.DType() {
		if t, err = castWeight(t, want); err != nil {
			return fmt.Errorf("node %q (%s): %w", n.GetName(), n.GetOp(), err)
		}
	}
	p, err := tensor.ToTFProto(t)
	if err != nil {
		return fmt.Errorf("node %q (%s): %w", n.GetName(), n.GetOp(), err)
	}
	if n.Attr == nil {
		n.Attr = map[string]*tfpb.AttrValue{}
	}
	n.Attr["value"] = &tfpb.AttrValue{Value: &tfpb.AttrValue_Tensor{Tensor: p}}
	return nil
}

// castWeight widens a weight to the dtype its node declares: the reverse
// of the converter's int64→int32, float64→float32 and
// complex128→complex64 narrowing, plus any other real-to-real cast.
func castWeight(t *tensor.Tensor, to tensor.DType) (*tensor.Tensor, error) {
	if t.DType() == tensor.Complex64 && to == tensor.Complex128 {
		src := tensor.Values[complex64](t)
		dst := make([]complex128, len(src))
		for i, v := range src {
			dst[i] = complex128(v)
		}
		return tensor.FromSlice(t.Shape(), dst)
	}
	real := func(d tensor.DType) bool { return d.IsFloat() || d.IsInteger() || d == tensor.Bool }
	if !real(t.DType()) || !real(to) {
		return nil, fmt.Errorf("the weight is %v but the node holds %v", t.DType(), to)
	}
	vals, err := tensor.Float64s(t)
	if err != nil {
		return nil, err
	}
	return tensor.FromFloat64s(to, t.Shape(), vals)
}
