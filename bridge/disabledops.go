package bridge

import (
	"log/slog"
	"slices"

	"github.com/tfoffload/tfoffload/clusters"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// warnUnknownOps logs each disabled op type that tfoffload does not know
// at all (no executor kernel, no ONNX translator, not control flow), which
// is most likely a misspelling that disables nothing.
func warnUnknownOps(log *slog.Logger, ops []string) {
	translated := clusters.Ops()
	for _, op := range ops {
		_, kernel := kernel.Lookup(op)
		_, translator := slices.BinarySearch(translated, op)
		if !kernel && !translator && graph.ControlFlowKind(op) == "" && graph.FunctionalKind(op) == "" {
			log.Warn("disabled op type is unknown: no kernel or ONNX translator has it; check its spelling", "op", op)
		}
	}
}
