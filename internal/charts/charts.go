package charts

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// ErrNoData reports a chart with nothing to draw.
var ErrNoData = errors.New("charts: nothing to draw")

// SeriesColors are the colours of the lines, in series order (the
// Okabe–Ito palette, told apart by colour-blind readers too); past the
// eighth, colours repeat with dashed lines.
var SeriesColors = []color.NRGBA{
	{0x00, 0x72, 0xB2, 0xFF}, // blue
	{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	{0xE6, 0x9F, 0x00, 0xFF}, // orange
	{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	{0x00, 0x00, 0x00, 0xFF}, // black
	{0xF0, 0xE4, 0x42, 0xFF}, // yellow
}

// Series is one line of a bench chart: a backend at a thread count.
type Series struct {
	Name string
	// X holds the swept values (batch sizes, requests in flight), FPS and
	// Latency (milliseconds) the measurements at each.
	X, FPS, Latency []float64
}

// Size of a bench chart: two panels side by side.
const (
	benchWidth  = 12 * vg.Inch
	benchHeight = 4.5 * vg.Inch
)

// Bench draws FPS and latency against X for each series, side by side,
// with title above and xLabel under both panels, as a PNG.
func Bench(title, xLabel, latencyLabel string, series []Series) ([]byte, error) {
	if len(series) == 0 {
		return nil, ErrNoData
	}
	var xs []float64
	for _, s := range series {
		if len(s.X) == 0 || len(s.FPS) != len(s.X) || len(s.Latency) != len(s.X) {
			return nil, fmt.Errorf("%w: series %q has %d x values, %d FPS, %d latencies", ErrNoData, s.Name, len(s.X), len(s.FPS), len(s.Latency))
		}
		xs = append(xs, s.X...)
	}
	fps := panel(title+": throughput", xLabel, "images per second (higher is better)", xs)
	lat := panel(title+": latency", xLabel, latencyLabel+" (lower is better)", xs)
	for i, s := range series {
		for _, pv := range []struct {
			p  *plot.Plot
			ys []float64
		}{{fps, s.FPS}, {lat, s.Latency}} {
			line, points, err := plotter.NewLinePoints(xyOf(s.X, pv.ys))
			if err != nil {
				return nil, fmt.Errorf("charts: series %q: %w", s.Name, err)
			}
			c := SeriesColors[i%len(SeriesColors)]
			line.Color, line.Width = c, vg.Points(2.5)
			if i >= len(SeriesColors) {
				line.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
			}
			points.Color, points.Shape, points.Radius = c, draw.CircleGlyph{}, vg.Points(3.5)
			pv.p.Add(line, points)
			if pv.p == fps {
				pv.p.Legend.Add(s.Name, line, points)
			}
		}
	}
	// Headroom above the highest line for the legend, at the top left.
	top := 0.0
	for _, s := range series {
		for _, v := range s.FPS {
			top = max(top, v)
		}
	}
	fps.Y.Max = top * (1.1 + 0.07*float64(len(series)))
	fps.Legend.Top, fps.Legend.Left = true, true
	fps.Legend.TextStyle.Font.Size = vg.Points(11)
	img := vgimg.NewWith(vgimg.UseWH(benchWidth, benchHeight), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Inch / 4, PadTop: vg.Inch / 8, PadBottom: vg.Inch / 8, PadLeft: vg.Inch / 8, PadRight: vg.Inch / 4}
	canvases := plot.Align([][]*plot.Plot{{fps, lat}}, tiles, dc)
	fps.Draw(canvases[0][0])
	lat.Draw(canvases[0][1])
	return encode(img)
}

// panel makes one bench panel whose x axis marks each swept value, on a
// log₂ scale when they span a factor of 4 or more.
func panel(title, xLabel, yLabel string, xs []float64) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(14)
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	p.X.Label.TextStyle.Font.Size, p.Y.Label.TextStyle.Font.Size = vg.Points(12), vg.Points(12)
	p.X.Tick.Label.Font.Size, p.Y.Tick.Label.Font.Size = vg.Points(11), vg.Points(11)
	lo, hi := math.Inf(1), math.Inf(-1)
	var ticks []plot.Tick
	seen := map[float64]bool{}
	for _, x := range xs {
		lo, hi = min(lo, x), max(hi, x)
		if !seen[x] {
			seen[x] = true
			ticks = append(ticks, plot.Tick{Value: x, Label: strconv.FormatFloat(x, 'g', -1, 64)})
		}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	if lo > 0 && hi/lo >= 4 {
		p.X.Scale = plot.LogScale{}
	}
	p.X.Padding, p.Y.Padding = vg.Points(8), vg.Points(8)
	p.Y.Min = 0
	p.Y.Tick.Marker = niceTicks{}
	p.Add(plotter.NewGrid())
	return p
}

func xyOf(xs, ys []float64) plotter.XYs {
	out := make(plotter.XYs, len(xs))
	for i := range xs {
		out[i].X, out[i].Y = xs[i], ys[i]
	}
	return out
}

// encode writes img as PNG bytes.
func encode(img *vgimg.Canvas) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("charts: PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// niceTicks marks an axis every 1, 2 or 5 × 10^k, about six marks from
// min to max, labelled without trailing zeros (plot's default gives two
// or three marks with fixed decimals).
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: strconv.FormatFloat(lo, 'g', 4, 64)}}
	}
	raw := (hi - lo) / 6
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if step = m * mag; step >= raw {
			break
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi+step*1e-9; v += step {
		v := math.Round(v/step) * step
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', 6, 64)})
	}
	return ticks
}
