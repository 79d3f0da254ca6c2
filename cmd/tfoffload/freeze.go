package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/freeze"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/fsutil"
	"github.com/tfoffload/tfoffload/internal/tfpb"
)

const freezeLong = `Freeze writes one signature of MODEL as a frozen GraphDef, OUT.pb: the
variables replaced by constants holding their checkpoint values, function
calls inlined, training flags set to their defaults, constants folded, and
everything the signature does not need (savers, initializers, training ops)
removed. The frozen file runs on tfoffload (or TensorFlow) with the same
input and output tensor names as the signature, and gives the same results.

MODEL is a SavedModel directory (TF1 or TF2/Keras; saved_model.pb or
saved_model.pbtxt) or a TF1 .meta file next to its checkpoint.
--signature picks the signature (default: serving_default, or the only
one); --tags picks the SavedModel MetaGraphDef (default: serve). A .meta
file usually has no signatures: name the output nodes with --output, and
the inputs are the placeholders they need. --checkpoint reads the variables
from another checkpoint than the model's own.

A signature that changes state (assigns a variable, applies a training
step) cannot be frozen and is refused with the node that does it.

The file is written in binary protobuf form, or in text form with --pbtxt,
to a temporary file next to OUT.pb that is renamed into place when
complete: OUT.pb is never left half-written. Freeze prints the tensor names
to feed and fetch and how many variables became constants.`

type freezeOptions struct {
	signature  string
	tags       []string
	outputs    []string
	checkpoint string
	text       bool
}

func newFreezeCmd() *cobra.Command {
	var o freezeOptions
	cmd := &cobra.Command{
		Use:   "freeze MODEL OUT.pb",
		Short: "Write a SavedModel or checkpoint signature as a frozen GraphDef",
		Long:  freezeLong,
		Example: `  tfoffload freeze saved_model_dir frozen.pb
  tfoffload freeze --signature predict --pbtxt saved_model_dir frozen.pbtxt
  tfoffload freeze --output Output model.ckpt.meta frozen.pb`,
		Args: exactArgs("MODEL", "OUT.pb"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.signature != "" && len(o.outputs) > 0 {
				return usagef(cmd, "--signature and --output exclude each other")
			}
			return freezeModel(cmd.OutOrStdout(), args[0], args[1], o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.signature, "signature", "", "signature to freeze (default: serving_default or the only one)")
	f.StringSliceVar(&o.tags, "tags", nil, "SavedModel tag set (default: serve)")
	f.StringArrayVar(&o.outputs, "output", nil, "freeze for this output node or tensor instead of a signature (repeatable)")
	f.StringVar(&o.checkpoint, "checkpoint", "", "read the variables from this checkpoint (prefix, .index or directory)")
	f.BoolVar(&o.text, "pbtxt", false, "write the GraphDef in protobuf text form")
	return cmd
}

func freezeModel(w io.Writer, path, out string, o freezeOptions) error {
	m, err := loadModel(path, o.tags)
	if err != nil {
		return err
	}
	var opts []freeze.Option
	if o.checkpoint != "" {
		opts = append(opts, freeze.WithCheckpoint(o.checkpoint))
	}
	switch {
	case len(o.outputs) > 0:
		opts = append(opts, freeze.WithOutputs(o.outputs...))
	case o.signature != "":
		opts = append(opts, freeze.WithSignatures(o.signature))
	default:
		s := m.DefaultSignature()
		if s == nil {
			return fmt.Errorf("%s has no default signature: choose one with --signature (%s) or name outputs with --output", path, signatureKeys(m))
		}
		opts = append(opts, freeze.WithSignatures(s.Key))
	}
	res, err := freeze.Signatures(m, opts...)
	if err != nil {
		return err
	}
	s := res.Signatures[0]
	data, err := marshalGraph(s.Graph, o.text)
	if err != nil {
		return err
	}
	if err := fsutil.WriteAtomic(out, data, nil); err != nil {
		return err
	}
	st := res.Report.Signatures[0]
	label := "signature " + s.Key
	if s.Key == "" {
		label = "outputs " + strings.Join(o.outputs, ",")
	}
	fmt.Fprintf(w, "wrote %s: %s, %d nodes, %d variable(s) as constants, frozen in %v\n", out, label, st.Nodes, st.Variables, res.Report.Duration.Round(time.Millisecond/10))
	for _, in := range s.Inputs {
		fmt.Fprintf(w, "  in  %s\n", describeTensor(in))
	}
	if s.Key == "" {
		for _, in := range graph.Inputs(s.Graph) {
			fmt.Fprintf(w, "  in  %s\n", describeTensor(in))
		}
	}
	for _, t := range s.Outputs {
		fmt.Fprintf(w, "  out %s\n", describeTensor(t))
	}
	return nil
}

func describeTensor(t graph.TensorInfo) string {
	s := t.Name
	if t.Key != "" {
		s = t.Key + " " + s
	}
	if t.DType != 0 {
		s += " " + graph.DTypeName(t.DType) + " " + graph.FormatShape(t.Shape, t.RankKnown)
	}
	return s
}

func signatureKeys(m *graph.Model) string {
	var keys []string
	for _, s := range m.Signatures {
		if s.Key != "__saved_model_init_op" {
			keys = append(keys, s.Key)
		}
	}
	if len(keys) == 0 {
		return "it has none"
	}
	return "it has " + strings.Join(keys, ", ")
}

func marshalGraph(g *tfpb.GraphDef, text bool) ([]byte, error) {
	if text {
		return prototext.MarshalOptions{Multiline: true}.Marshal(g)
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(g)
}
