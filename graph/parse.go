package graph

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/internal/tfpb"
)

// ParseGraphDef decodes a binary GraphDef (the content of a frozen .pb
// file) and checks that it describes a graph: at least one node, every node
// named and with an op, no duplicate names, every input naming a node of
// the graph. Fields this project's schema does not know are kept as
// unknown fields. Errors wrap [ErrNotModel] (empty input, an image, a
// protobuf of another kind) or [ErrCorrupt] (a truncated or damaged
// GraphDef).
func ParseGraphDef(data []byte) (*tfpb.GraphDef, error) {
	if err := notModelData(data); err != nil {
		return nil, err
	}
	g := &tfpb.GraphDef{}
	if err := proto.Unmarshal(data, g); err != nil {
		if startsLikeGraphDef(data) {
			return nil, fmt.Errorf("%w: truncated or damaged GraphDef protobuf (%d bytes): %v", ErrCorrupt, len(data), err)
		}
		return nil, fmt.Errorf("%w: not a GraphDef protobuf: %v", ErrNotModel, err)
	}
	if err := checkGraph(g, true); err != nil {
		return nil, err
	}
	return g, nil
}

// ParseGraphDefText decodes a GraphDef in protobuf text format (a .pbtxt
// file) and checks it as [ParseGraphDef] does. Field names the schema does
// not know are skipped. Syntax errors wrap [ErrCorrupt] and carry the line
// and column.
func ParseGraphDefText(data []byte) (*tfpb.GraphDef, error) {
	if err := notModelData(data); err != nil {
		return nil, err
	}
	g := &tfpb.GraphDef{}
	if err := (prototext.UnmarshalOptions{DiscardUnknown: true, Resolver: tfpb.Resolver}).Unmarshal(data, g); err != nil {
		return nil, &textSyntaxError{err}
	}
	if err := checkGraph(g, true); err != nil {
		return nil, err
	}
	return g, nil
}

// parseSavedModel decodes a SavedModel, binary or text, and checks that it
// has at least one MetaGraphDef with a well-formed graph.
func parseSavedModel(data []byte, text bool) (*tfpb.SavedModel, error) {
	if err := notModelData(data); err != nil {
		return nil, err
	}
	sm := &tfpb.SavedModel{}
	if err := unmarshal(data, text, sm); err != nil {
		return nil, fmt.Errorf("%w: bad SavedModel protobuf: %v", ErrCorrupt, err)
	}
	if len(sm.GetMetaGraphs()) == 0 {
		return nil, fmt.Errorf("%w: the SavedModel has no MetaGraphDef", ErrNotModel)
	}
	nodes := 0
	for i, mg := range sm.GetMetaGraphs() {
		if err := checkGraph(mg.GetGraphDef(), false); err != nil {
			return nil, fmt.Errorf("MetaGraphDef %d %s: %w", i, formatTags(mg.GetMetaInfoDef().GetTags()), err)
		}
		nodes += len(mg.GetGraphDef().GetNode())
	}
	if nodes == 0 {
		return nil, fmt.Errorf("%w: the SavedModel's graphs have no nodes", ErrNotModel)
	}
	return sm, nil
}

// parseMetaGraph decodes a MetaGraphDef (a TF1 .meta file), binary or
// text, and checks that its graph has nodes.
func parseMetaGraph(data []byte, text bool) (*tfpb.MetaGraphDef, error) {
	if err := notModelData(data); err != nil {
		return nil, err
	}
	mg := &tfpb.MetaGraphDef{}
	if err := unmarshal(data, text, mg); err != nil {
		return nil, fmt.Errorf("%w: bad MetaGraphDef protobuf: %v", ErrCorrupt, err)
	}
	if len(mg.GetGraphDef().GetNode()) == 0 {
		return nil, fmt.Errorf("%w: the MetaGraphDef has no graph nodes", ErrNotModel)
	}
	if err := checkGraph(mg.GetGraphDef(), false); err != nil {
		return nil, err
	}
	return mg, nil
}

func unmarshal(data []byte, text bool, m proto.Message) error {
	if text {
		return prototext.UnmarshalOptions{DiscardUnknown: true, Resolver: tfpb.Resolver}.Unmarshal(data, m)
	}
	return proto.Unmarshal(data, m)
}

// checkGraph verifies that g's top-level nodes form a graph: named nodes
// with plausible op names, unique names, parseable inputs that name nodes
// of g. With requireNodes an empty graph is not a model: that is how a
// protobuf of another kind shows when decoded as a GraphDef.
func checkGraph(g *tfpb.GraphDef, requireNodes bool) error {
	nodes := g.GetNode()
	if len(nodes) == 0 {
		if requireNodes {
			return fmt.Errorf("%w: the GraphDef has no nodes", ErrNotModel)
		}
		return nil
	}
	for i, n := range nodes {
		if !validOpName(n.GetOp()) {
			kind := ErrCorrupt
			if requireNodes && i == 0 {
				kind = ErrNotModel
			}
			if n.GetOp() == "" {
				return fmt.Errorf("%w: node %d (%q) has no op", kind, i, n.GetName())
			}
			return fmt.Errorf("%w: node %d (%q) has an invalid op name %q", kind, i, n.GetName(), truncate(n.GetOp(), 40))
		}
	}
	ix, err := NewIndex(g)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	for i, n := range nodes {
		for _, in := range ix.Inputs(i) {
			if ix.Position(in.Node) < 0 {
				return fmt.Errorf("%w: node %q (%s) has input %q, which is not in the graph", ErrCorrupt, n.GetName(), n.GetOp(), in)
			}
		}
	}
	return nil
}

// validOpName accepts the names of ops and of library functions used as
// ops: an ASCII letter or underscore, then letters, digits and "_.-".
func validOpName(op string) bool {
	if op == "" {
		return false
	}
	for i := 0; i < len(op); i++ {
		c := op[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case i > 0 && (c >= '0' && c <= '9' || c == '.' || c == '-'):
		default:
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// startsLikeGraphDef reports whether data begins with the tag of a GraphDef
// field (node, library, version, versions, debug_info), so that a parse
// failure is more likely a damaged GraphDef than some other file.
func startsLikeGraphDef(data []byte) bool {
	switch data[0] {
	case 0x0a, 0x12, 0x18, 0x22, 0x2a:
		return true
	}
	return false
}

// errEmpty is the reason given for an empty file.
var errEmpty = fmt.Errorf("%w: the file is empty", ErrNotModel)

// notModelData rejects input that is empty or carries the signature of a
// well-known non-model file format.
func notModelData(data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return errEmpty
	}
	if kind := sniffOtherFormat(data); kind != "" {
		return fmt.Errorf("%w: the file holds %s", ErrNotModel, kind)
	}
	return nil
}

// otherFormats are magic numbers of files people pass by mistake.
var otherFormats = []struct {
	magic []byte
	kind  string
}{
	{[]byte{0xff, 0xd8, 0xff}, "JPEG image data"},
	{[]byte("\x89PNG\r\n\x1a\n"), "PNG image data"},
	{[]byte("GIF8"), "GIF image data"},
	{[]byte("RIFF"), "RIFF (WAV/WebP) data"},
	{[]byte("PK\x03\x04"), "a ZIP archive"},
	{[]byte{0x1f, 0x8b}, "gzip-compressed data"},
	{[]byte("%PDF"), "a PDF document"},
	{[]byte("\x7fELF"), "an ELF executable"},
	{[]byte("\x93NUMPY"), "a NumPy .npy array"},
	{[]byte("\x89HDF"), "an HDF5 (Keras .h5) file"},
}

func sniffOtherFormat(data []byte) string {
	for _, f := range otherFormats {
		if bytes.HasPrefix(data, f.magic) {
			return f.kind
		}
	}
	if len(data) >= 8 && string(data[4:8]) == "TFL3" {
		return "a TensorFlow Lite flatbuffer"
	}
	return ""
}

// looksLikeJSON reports whether the first non-space byte opens a JSON
// object.
func looksLikeJSON(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n\ufeff")
	return len(t) > 0 && t[0] == '{'
}

// looksLikeText reports whether the start of data is UTF-8 text without
// control characters other than tab, CR and LF, as protobuf text files are.
func looksLikeText(data []byte) bool {
	head := data[:min(len(data), 4096)]
	for len(head) > 0 {
		r, size := utf8.DecodeRune(head)
		if r == utf8.RuneError && size <= 1 {
			// A rune cut at the 4 KiB boundary is fine.
			if len(head) < utf8.UTFMax && len(data) > 4096 {
				return true
			}
			return false
		}
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f {
			return false
		}
		head = head[size:]
	}
	return len(data) > 0
}

// isNotModel reports whether err says the data is of another kind, as
// opposed to a damaged model.
func isNotModel(err error) bool { return errors.Is(err, ErrNotModel) }

// textSyntaxError is a protobuf text syntax error. It wraps ErrCorrupt;
// Load turns it into ErrNotModel for text files not named as protobuf
// text.
type textSyntaxError struct{ err error }

func (e *textSyntaxError) Error() string {
	return ErrCorrupt.Error() + ": bad protobuf text: " + e.err.Error()
}
func (e *textSyntaxError) Unwrap() []error { return []error{ErrCorrupt, e.err} }
