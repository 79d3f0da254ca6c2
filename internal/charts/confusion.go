package charts

import (
	"fmt"
	"image/color"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Confusion colours: a cell's share of its true class's examples, from
// white (none) to ConfusionFull (all).
var (
	ConfusionEmpty = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	ConfusionFull  = color.NRGBA{0x08, 0x30, 0x6B, 0xFF}
)

// confusionShades is how many steps the colour scale has.
const confusionShades = 32

// shades is the white-to-blue palette of the confusion matrix.
type shades struct{}

func (shades) Colors() []color.Color {
	out := make([]color.Color, confusionShades)
	for i := range out {
		f := float64(i) / float64(confusionShades-1)
		mix := func(a, b uint8) uint8 { return uint8(float64(a) + f*(float64(b)-float64(a)) + 0.5) }
		out[i] = color.NRGBA{mix(ConfusionEmpty.R, ConfusionFull.R), mix(ConfusionEmpty.G, ConfusionFull.G), mix(ConfusionEmpty.B, ConfusionFull.B), 0xFF}
	}
	return out
}

// confusionGrid shows m[true][predicted] with true classes top to bottom,
// each cell as its share of its row.
type confusionGrid [][]int

func (g confusionGrid) Dims() (c, r int) { return len(g), len(g) }

func (g confusionGrid) Z(c, r int) float64 {
	row := g[len(g)-1-r]
	total := 0
	for _, v := range row {
		total += v
	}
	if total == 0 {
		return 0
	}
	return float64(row[c]) / float64(total)
}

func (g confusionGrid) X(c int) float64 { return float64(c) }
func (g confusionGrid) Y(r int) float64 { return float64(r) }
func (g confusionGrid) Min() float64    { return 0 }
func (g confusionGrid) Max() float64    { return 1 }

// Confusion draws a confusion matrix m[true][predicted] with the class
// names (labels, or indexes when labels is nil), each cell coloured by
// its share of the true class's examples and marked with its count, as a
// PNG.
func Confusion(title string, m [][]int, labels []string) ([]byte, error) {
	n := len(m)
	if n == 0 {
		return nil, ErrNoData
	}
	for i, row := range m {
		if len(row) != n {
			return nil, fmt.Errorf("%w: row %d of the confusion matrix has %d cells, want %d", ErrNoData, i, len(row), n)
		}
	}
	if labels == nil {
		for i := range n {
			labels = append(labels, strconv.Itoa(i))
		}
	}
	if len(labels) != n {
		return nil, fmt.Errorf("%w: %d labels for %d classes", ErrNoData, len(labels), n)
	}
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(14)
	hm := plotter.NewHeatMap(confusionGrid(m), shades{})
	p.Add(hm)
	var xy plotter.XYs
	var texts []string
	var dark []bool
	for r, row := range m {
		for c, v := range row {
			if v == 0 {
				continue
			}
			xy = append(xy, plotter.XY{X: float64(c), Y: float64(n - 1 - r)})
			texts = append(texts, strconv.Itoa(v))
			dark = append(dark, confusionGrid(m).Z(c, n-1-r) > 0.5)
		}
	}
	if len(xy) > 0 {
		lbl, err := plotter.NewLabels(plotter.XYLabels{XYs: xy, Labels: texts})
		if err != nil {
			return nil, fmt.Errorf("charts: %w", err)
		}
		for i := range lbl.TextStyle {
			lbl.TextStyle[i].XAlign, lbl.TextStyle[i].YAlign = draw.XCenter, draw.YCenter
			lbl.TextStyle[i].Font.Size = vg.Points(10)
			if dark[i] {
				lbl.TextStyle[i].Color = color.White
			}
		}
		p.Add(lbl)
	}
	var xt, yt []plot.Tick
	for i, l := range labels {
		xt = append(xt, plot.Tick{Value: float64(i), Label: l})
		yt = append(yt, plot.Tick{Value: float64(n - 1 - i), Label: l})
	}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.ConstantTicks(xt), plot.ConstantTicks(yt)
	p.X.Label.Text, p.Y.Label.Text = "predicted class (shade: share of the true class's examples)", "true class"
	p.X.Label.TextStyle.Font.Size, p.Y.Label.TextStyle.Font.Size = vg.Points(12), vg.Points(12)
	p.X.Tick.Label.Rotation = 0.6
	p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XRight, draw.YTop
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = -0.5, float64(n)-0.5, -0.5, float64(n)-0.5
	side := max(5*vg.Inch, vg.Length(n)*0.45*vg.Inch+2*vg.Inch)
	img := vgimg.NewWith(vgimg.UseWH(side, side), vgimg.UseBackgroundColor(color.White))
	margin := vg.Points(8)
	p.Draw(draw.Crop(draw.New(img), margin, -margin, margin, -margin))
	return encode(img)
}
