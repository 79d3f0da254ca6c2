package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/partition"
)

const partitionLong = `Partition shows how MODEL would be split between ONNX Runtime and the Go
executor: each cluster to offload (id, node count, non-trivial node count,
ops) and every node left on the executor with the reason, the percentage of
non-trivial nodes offloaded, and the minimum cluster size applied
(MIN_NONTRIVIAL_NODES) with where it came from.

It honours the same settings as running does: TFOFFLOAD_MIN_NONTRIVIAL_NODES,
TFOFFLOAD_MAX_CLUSTERS and TFOFFLOAD_DISABLED_OPS, which the flags override.
It needs no ONNX Runtime.

With --json, one object: {"model", "nontrivial_offloaded", "nontrivial",
"percent_offloaded", "min_nontrivial_nodes", "min_source", "clusters":
[{"id", "nodes", "nontrivial", "ops": {op: count}, "inputs", "outputs",
"members"}], "fallback": [{"node", "op", "reason": {"kind", "detail"}}]}.
With --dot FILE, the plan is also written as a Graphviz graph, clusters as
subgraphs.`

type partitionOptions struct {
	json     bool
	dot      string
	min      int
	max      int
	disabled []string
	tags     []string
}

func newPartitionCmd() *cobra.Command {
	var o partitionOptions
	cmd := &cobra.Command{
		Use:   "partition MODEL",
		Short: "Show the clusters a model would offload and why other nodes stay on the executor",
		Long:  partitionLong,
		Example: `  tfoffload partition model.json
  tfoffload partition --min-nontrivial-nodes 2 --dot plan.dot frozen.pb`,
		Args: exactArgs("MODEL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var opts []bridge.Option
			if cmd.Flags().Changed("min-nontrivial-nodes") {
				opts = append(opts, bridge.WithMinNontrivialNodes(o.min))
			}
			if cmd.Flags().Changed("max-clusters") {
				opts = append(opts, bridge.WithMaxClusters(o.max))
			}
			if cmd.Flags().Changed("disable-ops") {
				opts = append(opts, bridge.WithDisabledOps(o.disabled...))
			}
			return partitionModel(cmd.OutOrStdout(), args[0], o, opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.json, "json", false, "print the plan as JSON")
	f.StringVar(&o.dot, "dot", "", "also write the plan as a Graphviz DOT file")
	f.IntVar(&o.min, "min-nontrivial-nodes", 0, "minimum cluster size (default: TFOFFLOAD_MIN_NONTRIVIAL_NODES, else OpenVINO-TensorFlow's formula)")
	f.IntVar(&o.max, "max-clusters", 0, "keep only the N largest clusters (0: all)")
	f.StringSliceVar(&o.disabled, "disable-ops", nil, "op types never to offload")
	f.StringSliceVar(&o.tags, "tags", nil, "SavedModel tag set (default: serve)")
	return cmd
}

type planJSON struct {
	Model               string               `json:"model"`
	NonTrivialOffloaded int                  `json:"nontrivial_offloaded"`
	NonTrivial          int                  `json:"nontrivial"`
	PercentOffloaded    float64              `json:"percent_offloaded"`
	MinNontrivialNodes  int                  `json:"min_nontrivial_nodes"`
	MinSource           string               `json:"min_source"`
	Clusters            []clusterJSON        `json:"clusters"`
	Fallback            []partition.Fallback `json:"fallback"`
}

type clusterJSON struct {
	ID         int            `json:"id"`
	Nodes      int            `json:"nodes"`
	NonTrivial int            `json:"nontrivial"`
	Ops        map[string]int `json:"ops"`
	Inputs     []string       `json:"inputs"`
	Outputs    []string       `json:"outputs"`
	Members    []string       `json:"members"`
}

func partitionModel(w io.Writer, path string, o partitionOptions, opts []bridge.Option) error {
	m, err := loadModel(path, o.tags)
	if err != nil {
		return err
	}
	plan, err := bridge.Partition(m, opts...)
	if err != nil {
		return err
	}
	if o.dot != "" {
		f, err := os.Create(o.dot)
		if err != nil {
			return err
		}
		if err := plan.WriteDOT(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	if !o.json {
		_, err := fmt.Fprint(w, plan.String())
		return err
	}
	off, total := plan.NonTrivial()
	pj := planJSON{Model: path, NonTrivialOffloaded: off, NonTrivial: total, MinNontrivialNodes: plan.MinNontrivialNodes,
		MinSource: plan.MinSource, Clusters: []clusterJSON{}, Fallback: plan.Fallback}
	if total > 0 {
		pj.PercentOffloaded = 100 * float64(off) / float64(total)
	}
	for _, c := range plan.Clusters {
		pj.Clusters = append(pj.Clusters, clusterJSON{ID: c.ID, Nodes: len(c.Nodes), NonTrivial: c.NonTrivial(), Ops: c.OpCounts(),
			Inputs: c.Inputs, Outputs: c.Outputs, Members: c.NodeNames()})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(pj)
}
