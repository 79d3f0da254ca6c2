package op

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The op package names tfgo (github.com/galeone/tfgo) calls, read from its
// sources: a user who keeps the real tfgo and replaces only the bindings
// fork compiles tfgo against these.
var (
	tfgoRootUses = []string{"Abs", "Add", "Cast", "ConcatV2", "Const", "ExpandDims", "Identity", "LessEqual",
		"MatMul", "Maximum", "Mul", "NewScope", "Pow", "Scope", "Sub"}
	tfgoImageUses = []string{"AdjustContrastv2", "AdjustHue", "AdjustSaturation", "Const", "Conv2D", "CropAndResize",
		"CropAndResizeAttr", "DecodeGif", "DecodeJpeg", "DecodeJpegChannels", "DecodePng", "DecodePngChannels",
		"Dilation2D", "Div", "DrawBoundingBoxes", "EncodeJpeg", "EncodeJpegAttr", "EncodePng", "EncodePngAttr",
		"ExpandDims", "ExtractGlimpse", "ExtractGlimpseAttr", "Gather", "HSVToRGB", "Identity", "Max", "MaxKeepDims",
		"Maximum", "Mean", "MeanKeepDims", "Min", "MinKeepDims", "Minimum", "Mul", "Pack", "Pow", "RGBToHSV",
		"ReadFile", "Relu", "ResizeArea", "ResizeAreaAttr", "ResizeBicubic", "ResizeBicubicAttr", "ResizeBilinear",
		"ResizeBilinearAttr", "ResizeNearestNeighbor", "ResizeNearestNeighborAttr", "ReverseV2", "Rsqrt", "Shape",
		"Slice", "Sqrt", "Square", "Squeeze", "SqueezeAxis", "Sub", "Sum", "SumKeepDims"}
)

// exported returns the exported top-level names of this package.
func exported(t *testing.T) map[string]bool {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	names := map[string]bool{}
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() {
					names[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch sp := spec.(type) {
					case *ast.TypeSpec:
						names[sp.Name.Name] = sp.Name.IsExported()
					case *ast.ValueSpec:
						for _, n := range sp.Names {
							names[n.Name] = n.IsExported()
						}
					}
				}
			}
		}
	}
	return names
}

func TestTfgoUses(t *testing.T) {
	names := exported(t)
	for _, n := range tfgoRootUses {
		assert.True(t, names[n], "tfgo calls op.%s", n)
	}
	for _, n := range tfgoImageUses {
		assert.True(t, names[n], "tfgo's image package calls op.%s", n)
	}
}
