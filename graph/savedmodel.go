package graph

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// loadSavedModel reads a saved_model.pb (or .pbtxt) and the directory
// around it.
func loadSavedModel(path string, data []byte, text bool, o options) (*Model, error) {
	sm, err := parseSavedModel(data, text)
	if err != nil {
		return nil, err
	}
	mg, err := selectMetaGraph(sm, o)
	if err != nil {
		return nil, err
	}
	m := modelFromMetaGraph(FormatSavedModel, mg)
	m.Dir = filepath.Dir(path)
	if err := attachCheckpoint(m, filepath.Join(variablesDir, "variables")); err != nil {
		return nil, err
	}
	if m.CheckpointPrefix != "" {
		m.VariablesDir = filepath.Join(m.Dir, variablesDir)
	}
	if err := checkAssets(m.Dir, mg); err != nil {
		return nil, err
	}
	return m, nil
}

// The subdirectories of a SavedModel.
const (
	variablesDir = "variables"
	assetsDir    = "assets"
)

// checkAssets applies [OpenModelFile]'s rules to the asset files the
// MetaGraphDef names, which the graph's initializers read later. A missing
// asset is left for those initializers to report, as TensorFlow does.
func checkAssets(root string, mg *tfpb.MetaGraphDef) error {
	for _, a := range mg.GetAssetFileDef() {
		name := a.GetFilename()
		if !filepath.IsLocal(filepath.FromSlash(name)) {
			return fmt.Errorf("asset %q: %w: not a relative path inside %s/", name, ErrUnsafePath, assetsDir)
		}
		if _, err := statModelFile(root, filepath.Join(assetsDir, filepath.FromSlash(name))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("asset %q: %w", name, err)
		}
	}
	return nil
}

// selectMetaGraph picks the MetaGraphDef whose tag set equals the
// requested one; without explicit tags it also accepts the only
// MetaGraphDef whose tags include the default ones, or a lone untagged
// MetaGraphDef.
func selectMetaGraph(sm *tfpb.SavedModel, o options) (*tfpb.MetaGraphDef, error) {
	mgs := sm.GetMetaGraphs()
	want := tagSet(o.tags)
	for _, mg := range mgs {
		if slices.Equal(tagSet(mg.GetMetaInfoDef().GetTags()), want) {
			return mg, nil
		}
	}
	if !o.explicitTags {
		if len(mgs) == 1 && len(mgs[0].GetMetaInfoDef().GetTags()) == 0 {
			return mgs[0], nil
		}
		var super []*tfpb.MetaGraphDef
		for _, mg := range mgs {
			have := mg.GetMetaInfoDef().GetTags()
			if !slices.ContainsFunc(want, func(t string) bool { return !slices.Contains(have, t) }) {
				super = append(super, mg)
			}
		}
		if len(super) == 1 {
			return super[0], nil
		}
	}
	e := &TagsError{Want: slices.Clone(o.tags)}
	for _, mg := range mgs {
		e.Available = append(e.Available, slices.Clone(mg.GetMetaInfoDef().GetTags()))
	}
	return nil, e
}

// tagSet returns tags sorted and without duplicates.
func tagSet(tags []string) []string {
	s := slices.Clone(tags)
	slices.Sort(s)
	return slices.Compact(s)
}

// modelFromMetaGraph describes a MetaGraphDef: its graph, tags, producer
// and signatures.
func modelFromMetaGraph(f Format, mg *tfpb.MetaGraphDef) *Model {
	g := mg.GetGraphDef()
	if g == nil {
		g = &tfpb.GraphDef{}
	}
	m := modelFromGraph(f, g)
	m.MetaGraph = mg
	info := mg.GetMetaInfoDef()
	m.Tags = slices.Clone(info.GetTags())
	if p := tfProducer(info.GetTensorflowVersion(), info.GetTensorflowGitVersion()); p != "" {
		m.Producer = p
	}
	keys := make([]string, 0, len(mg.GetSignatureDef()))
	for k := range mg.GetSignatureDef() {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		m.Signatures = append(m.Signatures, signatureFromDef(k, mg.GetSignatureDef()[k]))
	}
	return m
}

// tfProducer formats TensorFlow's version strings as "TensorFlow 2.14.0
// (v2.14.0-rc1-21-g4dacf3f368e)", leaving out what is unknown.
func tfProducer(version, git string) string {
	// TF 1.x under Python 3 wrote the git version as a bytes literal.
	git = strings.TrimSuffix(strings.TrimPrefix(git, "b'"), "'")
	if git == "unknown" || git == version || git == "v"+version {
		git = ""
	}
	switch {
	case version != "" && git != "":
		return "TensorFlow " + version + " (" + git + ")"
	case version != "":
		return "TensorFlow " + version
	case git != "":
		return "TensorFlow " + git
	}
	return ""
}

// signatureFromDef converts a SignatureDef, sorting inputs and outputs by
// key.
func signatureFromDef(key string, sd *tfpb.SignatureDef) Signature {
	return Signature{
		Key:     key,
		Method:  sd.GetMethodName(),
		Inputs:  tensorInfos(sd.GetInputs()),
		Outputs: tensorInfos(sd.GetOutputs()),
	}
}

func tensorInfos(m map[string]*tfpb.TensorInfo) []TensorInfo {
	out := make([]TensorInfo, 0, len(m))
	for k, ti := range m {
		out = append(out, tensorInfoFrom(k, ti))
	}
	slices.SortFunc(out, func(a, b TensorInfo) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// tensorInfoFrom converts a TensorInfo. A sparse tensor is named by its
// values tensor, a composite one by its first component.
func tensorInfoFrom(key string, ti *tfpb.TensorInfo) TensorInfo {
	name := ti.GetName()
	switch {
	case ti.GetCooSparse() != nil:
		name = ti.GetCooSparse().GetValuesTensorName()
	case ti.GetCompositeTensor() != nil && len(ti.GetCompositeTensor().GetComponents()) > 0:
		name = ti.GetCompositeTensor().GetComponents()[0].GetName()
	}
	if tn, err := ParseTensorName(name); err == nil && !tn.Control {
		name = tn.Canonical()
	}
	info := TensorInfo{Key: key, Name: name, DType: tensor.DType(ti.GetDtype()).BaseType()}
	info.Shape, info.RankKnown = ShapeDims(ti.GetTensorShape())
	return info
}

// String formats a TensorInfo as "name dtype shape", the way inspect
// prints it.
func (ti TensorInfo) String() string {
	return fmt.Sprintf("%s %s %s", ti.Name, DTypeName(ti.DType), FormatShape(ti.Shape, ti.RankKnown))
}
