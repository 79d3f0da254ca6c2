package graph

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tfoffload/tfoffload/internal/tfpb"
)

// Option configures [Load].
type Option func(*options)

type options struct {
	tags         []string
	explicitTags bool
}

// defaultTags is the tag set Load looks for in a SavedModel when
// [WithTags] is not given.
var defaultTags = []string{"serve"}

// WithTags selects the SavedModel MetaGraphDef whose tag set is exactly
// tags (in any order). Without it Load looks for {"serve"} and, failing
// that, accepts the only MetaGraphDef whose tags include "serve", or a
// single MetaGraphDef with no tags at all (a TF-Hub v1 module). WithTags()
// with no tags selects the MetaGraphDef with an empty tag set.
func WithTags(tags ...string) Option {
	return func(o *options) {
		o.tags = slices.Clone(tags)
		o.explicitTags = true
	}
}

// Load reads the model at path: a frozen GraphDef (.pb, .pbtxt), a
// SavedModel directory or its saved_model.pb/.pbtxt, a TF1 .meta file, or a
// TensorFlow.js graph model (model.json or another *.json holding
// modelTopology and weightsManifest, or the directory holding it). When
// the file name says nothing, the content decides.
//
// The returned Model owns its protos. Any error is a [*LoadError] naming
// the file and wrapping one of [ErrNotModel], [ErrCorrupt],
// [ErrNoMetaGraph], [ErrWeights], [ErrUnsupported] or a file system error.
func Load(path string, opts ...Option) (*Model, error) {
	o := options{tags: defaultTags}
	for _, opt := range opts {
		opt(&o)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, &LoadError{Path: path, Err: unwrapPathError(err)}
	}
	var m *Model
	if fi.IsDir() {
		m, err = loadDir(path, o)
	} else {
		m, err = loadFile(path, o)
	}
	if err != nil {
		return nil, err
	}
	m.Path = path
	return m, nil
}

// unwrapPathError drops the "open PATH:" of an *fs.PathError whose path
// the LoadError already names; errors.Is still sees the cause.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// File names with a fixed meaning inside a model directory.
const (
	savedModelPB    = "saved_model.pb"
	savedModelPBTxt = "saved_model.pbtxt"
	tfjsModelJSON   = "model.json"
)

func loadDir(dir string, o options) (*Model, error) {
	for _, name := range []string{savedModelPB, savedModelPBTxt, tfjsModelJSON} {
		data, err := readModelFile(dir, name, fileLimit(name))
		switch {
		case err == nil:
			return loadData(filepath.Join(dir, name), data, o)
		case !errors.Is(err, fs.ErrNotExist):
			return nil, &LoadError{Path: filepath.Join(dir, name), Err: err}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, &LoadError{Path: dir, Err: unwrapPathError(err)}
	}
	var (
		found     []string
		firstData []byte
	)
	for _, e := range entries {
		if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".json") {
			continue
		}
		data, err := readModelFile(dir, e.Name(), maxJSONFileBytes)
		if errors.Is(err, ErrUnsafePath) || errors.Is(err, ErrTooLarge) {
			return nil, &LoadError{Path: filepath.Join(dir, e.Name()), Err: err}
		}
		if err == nil && bytes.Contains(data, []byte(`"modelTopology"`)) {
			if found == nil {
				firstData = data
			}
			found = append(found, e.Name())
		}
	}
	switch len(found) {
	case 1:
		return loadData(filepath.Join(dir, found[0]), firstData, o)
	case 0:
		return nil, &LoadError{Path: dir, Err: fmt.Errorf("%w: the directory holds no %s, %s or TF.js model JSON", ErrNotModel, savedModelPB, savedModelPBTxt)}
	}
	return nil, &LoadError{Path: dir, Err: fmt.Errorf("%w: the directory holds several TF.js models (%s); name one", ErrNotModel, strings.Join(found, ", "))}
}

// fileLimit is the largest model file of this name Load reads whole.
func fileLimit(name string) int64 {
	if strings.EqualFold(filepath.Ext(name), ".json") {
		return maxJSONFileBytes
	}
	return maxProtoFileBytes
}

// loadFile reads the model file at path, which the caller named.
func loadFile(path string, o options) (*Model, error) {
	data, err := readUserFile(path, fileLimit(path))
	if err != nil {
		return nil, &LoadError{Path: path, Err: err}
	}
	return loadData(path, data, o)
}

// loadData loads a model file's content; path names it and locates the
// files it refers to.
func loadData(path string, data []byte, o options) (*Model, error) {
	base := filepath.Base(path)
	ext := strings.ToLower(filepath.Ext(base))
	var (
		m      *Model
		format Format
		err    error
	)
	switch {
	case base == savedModelPB || base == savedModelPBTxt:
		format = FormatSavedModel
		m, err = loadSavedModel(path, data, base == savedModelPBTxt || looksLikeText(data), o)
	case ext == ".json":
		format = FormatTFJS
		m, err = loadTFJS(path, data)
	case ext == ".meta":
		format = FormatMetaGraph
		m, err = loadMetaGraph(path, data, looksLikeText(data) && !looksLikeJSON(data))
	case ext == ".pbtxt" || ext == ".prototxt" || ext == ".pbtext":
		m, err = loadText(path, data, true, o)
	case ext == ".pb":
		m, err = loadBinary(path, data, o)
	default:
		switch {
		case looksLikeJSON(data) && len(data) > maxJSONFileBytes:
			format = FormatTFJS
			err = fmt.Errorf("%w: the JSON file is %d bytes, more than the %d a TF.js model.json may have", ErrTooLarge, len(data), maxJSONFileBytes)
		case looksLikeJSON(data):
			format = FormatTFJS
			m, err = loadTFJS(path, data)
		case looksLikeText(data):
			m, err = loadText(path, data, false, o)
		default:
			m, err = loadBinary(path, data, o)
		}
	}
	if err != nil {
		var le *LoadError
		if errors.As(err, &le) {
			return nil, err
		}
		if m != nil {
			format = m.Format
		}
		return nil, &LoadError{Path: path, Format: format, Err: err}
	}
	m.Dir = filepath.Dir(path)
	return m, nil
}

// loadBinary reads a binary protobuf: a frozen GraphDef first, else a
// SavedModel or MetaGraphDef under an unexpected name. The GraphDef error
// is the one reported when nothing fits.
func loadBinary(path string, data []byte, o options) (*Model, error) {
	g, gerr := ParseGraphDef(data)
	if gerr == nil {
		return modelFromGraph(FormatFrozen, g), nil
	}
	// A SavedModel or MetaGraphDef can fail to decode as a GraphDef (its
	// fields clash with GraphDef's) or decode into nonsense; try both.
	if !errors.Is(gerr, errEmpty) {
		if _, err := parseSavedModel(data, false); err == nil {
			return loadSavedModel(path, data, false, o)
		}
		if mg, err := parseMetaGraph(data, false); err == nil {
			return metaGraphModel(path, mg)
		}
	}
	return nil, gerr
}

// loadText reads a protobuf text file: a GraphDef, else a SavedModel or a
// MetaGraphDef. Unless the file name declared protobuf text (or the text
// has GraphDef's "node {"), a syntax error means some other text file.
func loadText(path string, data []byte, declared bool, o options) (*Model, error) {
	g, gerr := ParseGraphDefText(data)
	if gerr == nil {
		return modelFromGraph(FormatText, g), nil
	}
	if !errors.Is(gerr, errEmpty) {
		if _, err := parseSavedModel(data, true); err == nil {
			return loadSavedModel(path, data, true, o)
		}
		if mg, err := parseMetaGraph(data, true); err == nil {
			return metaGraphModel(path, mg)
		}
	}
	switch {
	case errors.Is(gerr, errEmpty):
		return nil, gerr
	case isNotModel(gerr):
		return nil, fmt.Errorf("%w: the text holds no GraphDef, SavedModel or MetaGraphDef", ErrNotModel)
	}
	var syn *textSyntaxError
	if errors.As(gerr, &syn) && !declared && !bytes.Contains(data, []byte("node {")) && !bytes.Contains(data, []byte("node{")) {
		return nil, fmt.Errorf("%w: the file is text but not protobuf text format (%v)", ErrNotModel, syn.err)
	}
	return nil, gerr
}

// modelFromGraph wraps a bare GraphDef.
func modelFromGraph(f Format, g *tfpb.GraphDef) *Model {
	m := &Model{Format: f, Graph: g}
	m.GraphProducer = g.GetVersions().GetProducer()
	if m.GraphProducer != 0 {
		m.Producer = fmt.Sprintf("GraphDef producer %d", m.GraphProducer)
	}
	m.Variables = VariableNodes(g)
	m.WeightBytes = ConstBytes(g)
	return m
}

func loadMetaGraph(path string, data []byte, text bool) (*Model, error) {
	mg, err := parseMetaGraph(data, text)
	if err != nil {
		return nil, err
	}
	return metaGraphModel(path, mg)
}

// metaGraphModel builds the Model of a TF1 .meta file, whose checkpoint
// shares its path prefix.
func metaGraphModel(path string, mg *tfpb.MetaGraphDef) (*Model, error) {
	m := modelFromMetaGraph(FormatMetaGraph, mg)
	m.Dir = filepath.Dir(path)
	base := filepath.Base(path)
	if err := attachCheckpoint(m, strings.TrimSuffix(base, filepath.Ext(base))); err != nil {
		return nil, err
	}
	return m, nil
}

// attachCheckpoint records the checkpoint at m.Dir/prefix when its index
// file exists, counting its data files in m.WeightBytes. An index or data
// file that breaks [OpenModelFile]'s rules is an error.
func attachCheckpoint(m *Model, prefix string) error {
	if _, err := statModelFile(m.Dir, prefix+".index"); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	n, err := checkpointDataBytes(m.Dir, prefix)
	if err != nil {
		return err
	}
	m.CheckpointPrefix = filepath.Join(m.Dir, prefix)
	m.WeightBytes = satAdd(m.WeightBytes, n)
	return nil
}

// checkpointDataBytes sums the sizes of a checkpoint's data files
// ("<prefix>.data-00000-of-00001", ...) under root.
func checkpointDataBytes(root, prefix string) (int64, error) {
	dir, base := filepath.Split(prefix)
	entries, err := os.ReadDir(filepath.Join(root, dir))
	if err != nil {
		return 0, nil
	}
	var n int64
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), base+".data-") {
			continue
		}
		size, err := statModelFile(root, filepath.Join(dir, e.Name()))
		if err != nil {
			return 0, err
		}
		n = satAdd(n, size)
	}
	return n, nil
}
