package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tfoffload/tfoffload/freeze"
	"github.com/tfoffload/tfoffload/graph"
)

const inspectLong = `Inspect loads MODEL and describes it: its format and producer, the size of
its graph and which ops it uses, its inputs and outputs, its signatures, its
function library, the variables it still holds and the size of its weights.

MODEL is a frozen GraphDef (.pb or .pbtxt), a SavedModel directory (or its
saved_model.pb), a TF1 .meta file, or a TensorFlow.js graph model (its
model.json, or the directory holding it). --tags picks the SavedModel
MetaGraphDef by tag set (default: serve; --tags "" picks the untagged one).

Inputs and outputs are those of the model's default signature
("serving_default", or its only signature) when it has one; otherwise the
graph's placeholders and the outputs nothing consumes. A signature's inputs
include the placeholders its outputs need that it does not list (listed
without a key): a signature may name only outputs. A shape is printed as
[-1,224,224,3] with -1 for an unknown dimension, [] for a scalar and ? for
an unknown rank.

With --json, inspect prints one JSON object whose fields always appear in
this order:

  path              the MODEL argument as given
  format            frozen-graph, text-graph, saved-model, meta-graph or
                    tfjs-graph-model
  producer          what wrote the model: "TensorFlow 2.14.0 (git version)"
                    for SavedModels and .meta files, the TF.js format and
                    converter for TF.js models, "GraphDef producer N"
                    otherwise; "" when the file does not say
  graph_producer    the GraphDef's versions.producer, 0 when absent
  tags              the chosen MetaGraphDef's tag set ([] for other formats)
  nodes             the number of nodes in the graph (functions excluded)
  ops               [{op, count}] for every op type, most frequent first,
                    then by name
  inputs            [{key, name, dtype, shape}]: key is the signature key
                    (left out when the input comes from a placeholder), name
                    the graph tensor ("x:0"), dtype a name like float32
                    ("unknown" when the model does not say), shape a list of
                    dimensions with -1 for unknown ones, null for an unknown
                    rank
  outputs           the same, for the outputs
  signatures        [{key, method, inputs, outputs}] for every signature,
                    sorted by key; method is "" when not set; inputs and
                    outputs as above, sorted by key
  functions         {count, names}: the function library, in library order
  variables         {count, names}: variable nodes left in the graph
                    (VariableV2, VarHandleOp, ...; those in functions as
                    "function/node"); they are frozen when the model loads
                    (see freeze)
  checkpoint        the checkpoint prefix the variables restore from, "" if
                    none
  initializer_nodes the number of nodes of a TF.js modelInitializer graph
                    (not run), 0 if none
  weight_bytes      the exact size in bytes of the constant values
                    (dequantized, for TF.js) plus the variable checkpoint
                    data files
  freeze            what freezing does to a model with variables, null for
                    one without: {checkpoint, variables: [{node, op, key,
                    slice, source, dtype, shape}] (key "" when unmapped;
                    source "restore graph", "object graph" or "name"),
                    signatures: [{key, frozen, error, nodes, variables}]
                    (error says why a signature cannot be frozen, e.g. it
                    changes state; key "" when the model as a whole cannot
                    be frozen)}`

type inspectOptions struct {
	json bool
	tags []string
}

func newInspectCmd() *cobra.Command {
	var o inspectOptions
	cmd := &cobra.Command{
		Use:   "inspect MODEL",
		Short: "Describe a model: format, inputs and outputs, signatures, ops, weights",
		Long:  inspectLong,
		Example: `  tfoffload inspect model.pb
  tfoffload inspect --json saved_model_dir
  tfoffload inspect --tags serve,gpu saved_model_dir`,
		Args: exactArgs("MODEL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var opts []graph.Option
			if cmd.Flags().Changed("tags") {
				opts = append(opts, graph.WithTags(o.tags...))
			}
			m, err := graph.Load(args[0], opts...)
			if err != nil {
				return err
			}
			r := newInspectReport(m)
			if o.json {
				return r.writeJSON(cmd.OutOrStdout())
			}
			return r.writeText(cmd.OutOrStdout())
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print one JSON object (fields documented above)")
	cmd.Flags().StringSliceVar(&o.tags, "tags", nil, "SavedModel tag set, comma-separated (default serve)")
	return cmd
}

// inspectReport is what inspect prints; its JSON form is documented in
// inspectLong, field by field, in this order.
type inspectReport struct {
	Path             string            `json:"path"`
	Format           string            `json:"format"`
	Producer         string            `json:"producer"`
	GraphProducer    int32             `json:"graph_producer"`
	Tags             []string          `json:"tags"`
	Nodes            int               `json:"nodes"`
	Ops              []graph.OpCount   `json:"ops"`
	Inputs           []tensorReport    `json:"inputs"`
	Outputs          []tensorReport    `json:"outputs"`
	Signatures       []signatureReport `json:"signatures"`
	Functions        nameList          `json:"functions"`
	Variables        nameList          `json:"variables"`
	Checkpoint       string            `json:"checkpoint"`
	InitializerNodes int               `json:"initializer_nodes"`
	WeightBytes      int64             `json:"weight_bytes"`
	Freeze           *freezeReport     `json:"freeze"`
}

type tensorReport struct {
	Key   string  `json:"key,omitempty"`
	Name  string  `json:"name"`
	DType string  `json:"dtype"`
	Shape []int64 `json:"shape"`
}

type signatureReport struct {
	Key     string         `json:"key"`
	Method  string         `json:"method"`
	Inputs  []tensorReport `json:"inputs"`
	Outputs []tensorReport `json:"outputs"`
}

type nameList struct {
	Count int      `json:"count"`
	Names []string `json:"names"`
}

// freezeReport is inspect's form of a freeze.Report.
type freezeReport struct {
	Checkpoint string                  `json:"checkpoint"`
	Variables  []freezeVariableReport  `json:"variables"`
	Signatures []freezeSignatureReport `json:"signatures"`
}

type freezeVariableReport struct {
	Node   string  `json:"node"`
	Op     string  `json:"op"`
	Key    string  `json:"key"`
	Slice  string  `json:"slice,omitempty"`
	Source string  `json:"source"`
	DType  string  `json:"dtype"`
	Shape  []int64 `json:"shape"`
}

type freezeSignatureReport struct {
	Key       string `json:"key"`
	Frozen    bool   `json:"frozen"`
	Error     string `json:"error,omitempty"`
	Nodes     int    `json:"nodes"`
	Variables int    `json:"variables"`
}

// newFreezeReport freezes m in memory to say what freezing would do; nil
// for a model without variables. A freeze that fails as a whole is
// reported as every signature's error.
func newFreezeReport(m *graph.Model) *freezeReport {
	if !m.HasVariables() {
		return nil
	}
	_, rep, err := freeze.Model(m)
	r := &freezeReport{Variables: []freezeVariableReport{}, Signatures: []freezeSignatureReport{}}
	if rep == nil {
		r.Signatures = append(r.Signatures, freezeSignatureReport{Key: "", Error: err.Error()})
		return r
	}
	r.Checkpoint = rep.Checkpoint
	for _, v := range rep.Variables {
		r.Variables = append(r.Variables, freezeVariableReport{Node: v.Node, Op: v.Op, Key: v.Key, Slice: v.Slice, Source: v.Source,
			DType: graph.DTypeName(v.DType), Shape: nonNil(v.Shape.Int64s())})
	}
	for _, sig := range rep.Signatures {
		sr := freezeSignatureReport{Key: sig.Key, Frozen: sig.Frozen, Nodes: sig.Nodes, Variables: sig.Variables}
		if sig.Err != nil {
			sr.Error = sig.Err.Error()
		}
		r.Signatures = append(r.Signatures, sr)
	}
	return r
}

func newInspectReport(m *graph.Model) *inspectReport {
	r := &inspectReport{
		Path:          m.Path,
		Format:        m.Format.String(),
		Producer:      m.Producer,
		GraphProducer: m.GraphProducer,
		Tags:          nonNil(m.Tags),
		Nodes:         len(m.Graph.GetNode()),
		Ops:           nonNil(graph.OpCounts(m.Graph)),
		Inputs:        tensorReports(m.Inputs()),
		Outputs:       tensorReports(m.Outputs()),
		Signatures:    []signatureReport{},
		Functions:     newNameList(m.Functions()),
		Variables:     newNameList(m.Variables),
		Checkpoint:    m.CheckpointPrefix,
		WeightBytes:   m.WeightBytes,
		Freeze:        newFreezeReport(m),
	}
	if m.Initializer != nil {
		r.InitializerNodes = len(m.Initializer.GetNode())
	}
	for i := range m.Signatures {
		s := &m.Signatures[i]
		r.Signatures = append(r.Signatures, signatureReport{
			Key: s.Key, Method: s.Method, Inputs: tensorReports(m.InputsOf(s)), Outputs: tensorReports(m.OutputsOf(s)),
		})
	}
	return r
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func newNameList(names []string) nameList { return nameList{Count: len(names), Names: nonNil(names)} }

func tensorReports(infos []graph.TensorInfo) []tensorReport {
	out := make([]tensorReport, len(infos))
	for i, ti := range infos {
		out[i] = tensorReport{Key: ti.Key, Name: ti.Name, DType: graph.DTypeName(ti.DType)}
		if ti.RankKnown {
			out[i].Shape = nonNil(ti.Shape)
		}
	}
	return out
}

func (r *inspectReport) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// listedNames is how many variable and function names text output shows.
const listedNames = 5

func (r *inspectReport) writeText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(cells ...string) { fmt.Fprintln(tw, strings.Join(cells, "\t")) }

	row("Model:", r.Path)
	row("Format:", r.Format)
	if r.Producer != "" {
		row("Producer:", r.Producer)
	}
	graphLine := plural(r.Nodes, "node")
	if gp := fmt.Sprintf("GraphDef producer %d", r.GraphProducer); r.GraphProducer != 0 && r.Producer != gp {
		graphLine += ", " + gp
	}
	row("Graph:", graphLine)
	if len(r.Tags) > 0 {
		row("Tags:", strings.Join(r.Tags, ","))
	}
	row("Weights:", fmt.Sprintf("%s (%d bytes)", humanBytes(r.WeightBytes), r.WeightBytes))
	note := " (not frozen)"
	if r.Freeze != nil {
		note = " (cannot be frozen; see Freezing)"
		for _, sig := range r.Freeze.Signatures {
			if sig.Frozen {
				note = " (frozen on load; see Freezing)"
			}
		}
	}
	row("Variables:", summarizeNames(r.Variables, "none (frozen)", note))
	if r.Checkpoint != "" {
		row("Checkpoint:", r.Checkpoint)
	}
	row("Functions:", summarizeNames(r.Functions, "none", ""))
	if r.InitializerNodes > 0 {
		row("Initializer:", plural(r.InitializerNodes, "node")+" (not run)")
	}

	section := func(title string) { row(""); row(title) }
	tensors := func(indent string, ts []tensorReport) {
		if len(ts) == 0 {
			row(indent + "(none)")
		}
		for _, t := range ts {
			// A TF.js signature keys tensors by their own names.
			if t.Key != "" && t.Key != t.Name {
				row(indent+t.Key, t.Name, t.DType, formatShape(t.Shape))
			} else {
				row(indent+t.Name, t.DType, formatShape(t.Shape))
			}
		}
	}
	section("Inputs:")
	tensors("  ", r.Inputs)
	section("Outputs:")
	tensors("  ", r.Outputs)

	if len(r.Signatures) > 0 {
		section(fmt.Sprintf("Signatures (%d):", len(r.Signatures)))
		for _, s := range r.Signatures {
			title := "  " + s.Key
			if s.Method != "" {
				title += " (" + s.Method + ")"
			}
			row(title)
			for _, t := range s.Inputs {
				row("    in  "+t.Key, nameUnlessKey(t), t.DType, formatShape(t.Shape))
			}
			for _, t := range s.Outputs {
				row("    out "+t.Key, nameUnlessKey(t), t.DType, formatShape(t.Shape))
			}
		}
	}

	if f := r.Freeze; f != nil {
		mapped := 0
		for _, v := range f.Variables {
			if v.Key != "" {
				mapped++
			}
		}
		section(fmt.Sprintf("Freezing (%d of %s mapped to the checkpoint):", mapped, plural(len(f.Variables), "variable")))
		for _, v := range f.Variables {
			key := v.Key
			if key == "" {
				key = "(unmapped)"
			} else if v.Slice != "" {
				key += " [" + v.Slice + "]"
			}
			row("  "+v.Node, v.Op, key, v.DType+formatShape(v.Shape), v.Source)
		}
		for _, sig := range f.Signatures {
			if sig.Key == "" {
				row("  the model", "not frozen: "+sig.Error)
				continue
			}
			if sig.Frozen {
				row("  signature "+sig.Key, fmt.Sprintf("frozen: %s, %s as constants", plural(sig.Nodes, "node"), plural(sig.Variables, "variable")))
			} else {
				row("  signature "+sig.Key, "not frozen: "+sig.Error)
			}
		}
	}

	section(fmt.Sprintf("Ops (%s):", plural(len(r.Ops), "type")))
	for _, oc := range r.Ops {
		row("  "+oc.Op, fmt.Sprint(oc.Count))
	}
	return tw.Flush()
}

// nameUnlessKey returns the tensor name, or "" when the key already is it.
func nameUnlessKey(t tensorReport) string {
	if t.Key == t.Name {
		return ""
	}
	return t.Name
}

func formatShape(dims []int64) string { return graph.FormatShape(dims, dims != nil) }

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// summarizeNames prints a count, a note, and the first few names.
func summarizeNames(l nameList, none, note string) string {
	if l.Count == 0 {
		return none
	}
	shown := l.Names[:min(len(l.Names), listedNames)]
	s := fmt.Sprintf("%d%s: %s", l.Count, note, strings.Join(shown, ", "))
	if l.Count > len(shown) {
		s += fmt.Sprintf(", … (%d more)", l.Count-len(shown))
	}
	return s
}

// humanBytes formats a byte count with a binary unit: "512 B", "16.4 MiB".
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f, i := float64(n), -1
	for f >= unit && i < 5 {
		f /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB", f, "KMGTPE"[i])
}
