package bridge

import "github.com/tfoffload/tfoffload/graph"

// Inputs returns what Run must be fed: the inputs of the model's default
// signature and the placeholders its outputs need that it does not list,
// or the graph's placeholders when it has no signature
// ([graph.Model.InputsOf]). Nil for a nil session.
func (s *Session) Inputs() []graph.TensorInfo {
	if s == nil || s.model == nil {
		return nil
	}
	return s.model.Inputs()
}

// Outputs returns the model's outputs: its default signature's, else the
// graph's sinks. Nil for a nil session.
func (s *Session) Outputs() []graph.TensorInfo {
	if s == nil || s.model == nil {
		return nil
	}
	return s.model.Outputs()
}
