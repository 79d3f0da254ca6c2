package bridge

import (
	"time"

	"github.com/tfoffload/tfoffload/offload"
	"github.com/tfoffload/tfoffload/opdefs"
)

// Stats describes how a session's work was split between the engine and
// the executor, accumulated over all runs so far.
type Stats struct {
	Backend string `json:"backend"`
	// NodesOffloaded and Nodes count the graph's nodes in clusters and in
	// all; NonTrivialOffloaded and NonTrivial count the nodes that compute
	// something (Const, Identity and the like excluded).
	NodesOffloaded      int `json:"nodes_offloaded"`
	Nodes               int `json:"nodes"`
	NonTrivialOffloaded int `json:"nontrivial_offloaded"`
	NonTrivial          int `json:"nontrivial"`
	// MinNontrivialNodes is the minimum cluster size the plan applied.
	MinNontrivialNodes int            `json:"min_nontrivial_nodes"`
	Clusters           []ClusterStats `json:"clusters"`
	// CompileTime is the total time spent translating and compiling.
	CompileTime time.Duration `json:"compile_time_ns"`
	// FallbackTime is the time spent in executor kernels outside clusters.
	FallbackTime time.Duration `json:"fallback_time_ns"`
	// FreezeTime is the time freezing the model took when the session was
	// created (zero for a model that needed no freezing).
	FreezeTime time.Duration `json:"freeze_time_ns"`
}

// ClusterStats describes one cluster's activity.
type ClusterStats = offload.Stats

// Stats returns the session's statistics so far.
func (s *Session) Stats() Stats {
	if s == nil || s.model == nil {
		return Stats{}
	}
	st := Stats{Backend: s.backend, Nodes: len(s.model.Graph.GetNode()), FallbackTime: time.Duration(s.fallbackNs.Load()), FreezeTime: s.freezeTime}
	if s.plan == nil {
		_, st.NonTrivial = nonTrivialCount(s)
		return st
	}
	st.NonTrivialOffloaded, st.NonTrivial = s.plan.NonTrivial()
	st.NodesOffloaded = len(s.plan.ClusterOf)
	st.MinNontrivialNodes = s.plan.MinNontrivialNodes
	for _, c := range s.clusters {
		cs := c.Stats()
		st.Clusters = append(st.Clusters, cs)
		st.CompileTime += cs.CompileTime
		st.FallbackTime += cs.FallbackTime
	}
	return st
}

func nonTrivialCount(s *Session) (int, int) {
	total := 0
	for _, n := range s.model.Graph.GetNode() {
		if !opdefs.IsTrivial(n.GetOp()) {
			total++
		}
	}
	return 0, total
}
